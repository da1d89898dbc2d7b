pragma circom 2.1.0;

// A squaring chain of N constraints: y = f^N(x) with f(v) = v*v + k. Its size is set by N, so one
// template gives test and benchmark circuits of any size (2^4 ... 2^18 constraints).
template Chain(N) {
    signal input x;
    signal input k;
    signal output y;
    signal v[N + 1];
    v[0] <== x;
    for (var i = 0; i < N; i++) {
        v[i + 1] <== v[i] * v[i] + k;
    }
    y <== v[N];
}
