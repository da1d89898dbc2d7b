// Vector blocks (nine 512-bit limbs, 576 bytes) are stack locals written before they are read; without
// this the JIT zeroed every one in each prologue, a fifth of an Fq2 multiplication.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
