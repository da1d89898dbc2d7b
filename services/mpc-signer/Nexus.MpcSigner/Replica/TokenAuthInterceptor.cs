using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// Admits a call only with this replica's own bearer token (compared in constant time over digests, so
/// neither its content nor its length leaks). Each replica has a different token, so one leaked token
/// opens one replica, not the committee.
/// </summary>
public sealed class TokenAuthInterceptor : Interceptor
{
    private readonly byte[] _expected;
    private readonly SignerMetrics _metrics;
    private readonly ILogger<TokenAuthInterceptor> _log;

    public TokenAuthInterceptor(IOptions<ReplicaOptions> options, SignerMetrics metrics, ILogger<TokenAuthInterceptor> log)
    {
        var token = Secrets.Read(options.Value.Token, options.Value.TokenFile, "Replica:Token");
        if (token.Length < 16)
            throw new InvalidOperationException("Replica:Token must be at least 16 characters");
        _expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + token));
        _metrics = metrics;
        _log = log;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var presented = context.RequestHeaders.GetValue(SignerAuth.Header) ?? "";
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            _metrics.RejectedCalls.Add(1, new KeyValuePair<string, object?>("kind", "auth"));
            _log.LogWarning("Rejected {Method} from {Peer}: missing or wrong token", context.Method, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or wrong token"));
        }
        return continuation(request, context);
    }
}
