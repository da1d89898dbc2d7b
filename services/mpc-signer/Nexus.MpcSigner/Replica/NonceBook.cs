using System.Collections.Concurrent;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// Secret nonces handed out as commitments and not used yet. They live in memory only: a restart
/// forgets them (their commitments can no longer sign), so a nonce can never be reused from disk.
/// Taking one removes it, so two requests cannot both use it.
/// </summary>
public sealed class NonceBook(int capacity)
{
    private readonly ConcurrentDictionary<Guid, SigningNonces> _nonces = new();
    private readonly ConcurrentQueue<Guid> _order = new();

    public int Count => _nonces.Count;

    public void Add(Guid id, SigningNonces nonces)
    {
        _nonces[id] = nonces;
        _order.Enqueue(id);
        // Forget the oldest beyond the cap (a coordinator that hoards commitments only loses them); the
        // queue also drops ids already taken, and never holds more than twice the cap.
        while ((_nonces.Count > capacity || _order.Count > 2 * capacity) && _order.TryDequeue(out var oldest))
            _nonces.TryRemove(oldest, out _);
        while (_order.TryPeek(out var front) && !_nonces.ContainsKey(front))
            _order.TryDequeue(out _);
    }

    public bool TryPeek(Guid id, out SigningNonces nonces) => _nonces.TryGetValue(id, out nonces!);

    public bool TryTake(Guid id, out SigningNonces nonces) => _nonces.TryRemove(id, out nonces!);
}
