# The local Ethereum dev node (Hardhat 2.x, pinned in package-lock.json). Build from the repo root.
FROM node:20-slim
WORKDIR /node
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY infra/hardhat infra/hardhat
EXPOSE 8545
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD node -e "fetch('http://127.0.0.1:8545',{method:'POST',headers:{'content-type':'application/json'},body:'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}'}).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "node_modules/hardhat/internal/cli/cli.js", "node", "--hostname", "0.0.0.0", "--port", "8545", "--config", "infra/hardhat/hardhat.config.js"]
