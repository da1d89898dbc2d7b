// Hardhat 2.x configuration for the local Ethereum dev node (infra/start.sh ethereum).
// Only the built-in "hardhat" network is used: chain id 31337, automine on (the default),
// the default unlocked test accounts. Contracts are compiled by contracts/solidity/compile.js,
// not by Hardhat, so sources point at an empty folder and caches go under $NEXUS_HOME.
const path = require("path");

const repo = path.join(__dirname, "..", "..");
const nexusHome = process.env.NEXUS_HOME || path.join(repo, ".local");

module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
    },
  },
  paths: {
    root: repo,
    sources: path.join(__dirname, "no-sources"),
    tests: path.join(__dirname, "no-tests"),
    cache: path.join(nexusHome, "hardhat", "cache"),
    artifacts: path.join(nexusHome, "hardhat", "artifacts"),
  },
};
