using System.Security.Cryptography;
using System.Text;

namespace Nexus.Hosting;

/// <summary>
/// Deterministic message ids: the same fact published twice (after a crash, by two instances)
/// carries the same id, so consumers and traces see one message, not two.
/// </summary>
public static class MessageIds
{
    public static Guid For(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return new Guid(hash.AsSpan(0, 16));
    }
}
