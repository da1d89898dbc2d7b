pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/mux1.circom";

// A leaf's inclusion in a Poseidon Merkle tree: the leaf, its siblings and the left/right bits are
// private; the root is the public output, which the verifier compares with the root it trusts.
template MerkleInclusion(depth) {
    signal input leaf;
    signal input siblings[depth];
    signal input pathBits[depth]; // 1: the running node is the right child
    signal output root;

    component muxes[depth];
    component hashers[depth];
    signal nodes[depth + 1];
    nodes[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        pathBits[i] * (1 - pathBits[i]) === 0;
        muxes[i] = MultiMux1(2);
        muxes[i].c[0][0] <== nodes[i];
        muxes[i].c[0][1] <== siblings[i];
        muxes[i].c[1][0] <== siblings[i];
        muxes[i].c[1][1] <== nodes[i];
        muxes[i].s <== pathBits[i];
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== muxes[i].out[0];
        hashers[i].inputs[1] <== muxes[i].out[1];
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[depth];
}
