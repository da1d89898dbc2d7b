global using Scalar = Nexus.Crypto.Bn254.Element<Nexus.Crypto.Bn254.Fr>;
