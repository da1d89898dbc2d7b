global using Nexus.Crypto.Bn254;
global using G1Affine = Nexus.Crypto.Bn254.Affine<Nexus.Crypto.Bn254.Element<Nexus.Crypto.Bn254.Fq>>;
global using G2Affine = Nexus.Crypto.Bn254.Affine<Nexus.Crypto.Bn254.Fq2>;
global using Scalar = Nexus.Crypto.Bn254.Element<Nexus.Crypto.Bn254.Fr>;
