using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Nexus.Contracts.Signer;

/// <summary>How callers of a signer replica authenticate: the replica's own bearer token in the call's metadata.</summary>
public static class SignerAuth
{
    public const string Header = "authorization";

    /// <summary>A client for one replica whose every call carries <paramref name="token"/>.</summary>
    public static Signer.SignerClient Client(CallInvoker invoker, string token)
    {
        var value = "Bearer " + token;
        return new Signer.SignerClient(invoker.Intercept(metadata =>
        {
            metadata.Add(Header, value);
            return metadata;
        }));
    }
}
