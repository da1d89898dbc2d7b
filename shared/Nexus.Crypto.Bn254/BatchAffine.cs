using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// The additions of one Pippenger window done in affine coordinates, many at once: an affine addition
/// needs a division, and Montgomery's trick turns the divisions of a whole batch into one inversion and
/// three multiplications each, so an addition costs about 6 multiplications instead of a mixed Jacobian
/// addition's 11. A batch holds each bucket at most once; a point whose bucket is already in the batch
/// waits for the next batch, up to a batch's worth of waiting points; past that it goes to its bucket's
/// Jacobian overflow sum (unbounded waiting would be quadratic when scalars are small and most points
/// share a few buckets). <see cref="IBatchArithmetic{F}"/> runs the
/// batch's field work; points come and buckets stay in its batch form (<see cref="Finish"/> returns them
/// so; the caller converts).
/// </summary>
internal sealed class BatchAffineWindow<F, A> where F : struct, IField<F> where A : IBatchArithmetic<F>
{
    private readonly Affine<F>[] _buckets;
    private readonly int[] _stamp;
    private int _batchId = 1;
    // The batch: bucket index and the point to add to it.
    private readonly int[] _bucketOf;
    private readonly F[] _x2, _y2, _x1, _y1, _scratch;
    private int _count;
    private (F X, F Y, F Z)[]? _overflow;
    // Points waiting for the next batch (an array, not a List: a List of this value type would run
    // unoptimised first-tier code in the hot loop), and the copy they are re-added from.
    private (int Bucket, F X, F Y)[] _waiting;
    private int _waitingCount;
    private (int Bucket, F X, F Y)[] _retry;

    public BatchAffineWindow(int buckets, int batchSize)
    {
        _buckets = new Affine<F>[buckets];
        _stamp = new int[buckets];
        _bucketOf = new int[batchSize];
        _x2 = new F[batchSize];
        _y2 = new F[batchSize];
        _x1 = new F[batchSize];
        _y1 = new F[batchSize];
        _scratch = new F[2 * batchSize];
        _waiting = new (int, F, F)[batchSize];
        _retry = new (int, F, F)[batchSize];
    }

    /// <summary>bucket += (x, y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int bucket, F x, F y)
    {
        if (_stamp[bucket] == _batchId)
        {
            // Fewer than a batch wait, so re-adding them never fills (and flushes) the next batch midway.
            if (_waitingCount < _bucketOf.Length - 1)
            {
                _waiting[_waitingCount++] = (bucket, x, y);
                return;
            }
            if (_overflow is null)
            {
                _overflow = new (F, F, F)[_buckets.Length];
                Array.Fill(_overflow, (F.One, F.One, F.Zero));
            }
            ref var o = ref _overflow[bucket];
            o = Jacobian<F>.AddMixed(o.X, o.Y, o.Z, A.FromBatchForm(x), A.FromBatchForm(y));
            return;
        }
        ref var b = ref _buckets[bucket];
        if (b.IsInfinity)
        {
            b = new Affine<F>(x, y);
            return;
        }
        _stamp[bucket] = _batchId;
        _bucketOf[_count] = bucket;
        _x2[_count] = x;
        _y2[_count] = y;
        if (++_count == _bucketOf.Length)
            RunBatch();
    }

    /// <summary>Bucket <paramref name="bucket"/> as it stands (batch form; pending additions not yet in).</summary>
    public Affine<F> this[int bucket] => _buckets[bucket];

    /// <summary>Runs every pending addition (the batch, then the points waiting for the next one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Flush()
    {
        while (_count > 0 || _waitingCount > 0)
            RunBatch();
    }

    /// <summary>
    /// Runs everything pending and adds each overflow sum to its bucket; the buckets in affine batch form
    /// ((0, 0) for an empty one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Affine<F>[] Finish()
    {
        Flush();
        if (_overflow is { } overflow)
        {
            _overflow = null;
            var sums = Jacobian<F>.ToAffineAll(overflow);
            for (var i = 0; i < sums.Length; i++)
                if (!sums[i].IsInfinity)
                    Add(i, A.ToBatchForm(sums[i].X), A.ToBatchForm(sums[i].Y));
            Flush();
        }
        return _buckets;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBatch()
    {
        Execute();
        _count = 0;
        _batchId++;
        if (_waitingCount == 0)
            return;
        // The waiting points start the next batch (those meeting their bucket again wait again).
        var n = _waitingCount;
        (_waiting, _retry) = (_retry, _waiting);
        _waitingCount = 0;
        for (var i = 0; i < n; i++)
            Add(_retry[i].Bucket, _retry[i].X, _retry[i].Y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Execute()
    {
        // Equal x (doubling or cancellation) is rare: do it apart, keep the rest for the batch.
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            ref var b = ref _buckets[_bucketOf[i]];
            if (b.X.Equals(_x2[i]))
            {
                b = b.Y.Equals(_y2[i]) ? Double(b) : default;
                continue;
            }
            _x1[n] = b.X;
            _y1[n] = b.Y;
            if (n != i)
            {
                _bucketOf[n] = _bucketOf[i];
                _x2[n] = _x2[i];
                _y2[n] = _y2[i];
            }
            n++;
        }
        if (n == 0)
            return;
        A.AddAll(_x1.AsSpan(0, n), _y1.AsSpan(0, n), _x2.AsSpan(0, n), _y2.AsSpan(0, n), _scratch.AsSpan(0, 2 * n));
        for (var i = 0; i < n; i++)
            _buckets[_bucketOf[i]] = new Affine<F>(_x1[i], _y1[i]);
    }

    /// <summary>2·p, for points in batch form.</summary>
    private static Affine<F> Double(Affine<F> p)
    {
        var (x, y, z) = Jacobian<F>.Double(A.FromBatchForm(p.X), A.FromBatchForm(p.Y), F.One);
        return Jacobian<F>.ToAffine(x, y, z) is { } a ? new Affine<F>(A.ToBatchForm(a.X), A.ToBatchForm(a.Y)) : default;
    }
}

/// <summary>The field work of a batch of affine additions (x1, y1) += (x2, y2), results in (x1, y1).</summary>
internal interface IBatchArithmetic<F> where F : struct, IField<F>
{
    /// <summary>All x1 ≠ x2, all values in batch form. <paramref name="scratch"/> has twice their length.</summary>
    static abstract void AddAll(Span<F> x1, Span<F> y1, ReadOnlySpan<F> x2, ReadOnlySpan<F> y2, Span<F> scratch);

    /// <summary>
    /// Into and out of the form <see cref="AddAll"/> works on (the field's own for the scalar code, the
    /// vector form for AVX-512): one value, or many in place.
    /// </summary>
    static abstract bool HasOwnForm { get; }
    static abstract F ToBatchForm(F x);
    static abstract F FromBatchForm(F x);
    static abstract void ToBatchForm(Span<F> values);
    static abstract void FromBatchForm(Span<F> values);
}

/// <summary>The batch with the field's own (scalar) arithmetic.</summary>
internal readonly struct ScalarBatch<F> : IBatchArithmetic<F> where F : struct, IField<F>
{
    public static bool HasOwnForm => false;
    public static F ToBatchForm(F x) => x;
    public static F FromBatchForm(F x) => x;
    public static void ToBatchForm(Span<F> values) { }
    public static void FromBatchForm(Span<F> values) { }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddAll(Span<F> x1, Span<F> y1, ReadOnlySpan<F> x2, ReadOnlySpan<F> y2, Span<F> scratch)
    {
        var n = x1.Length;
        // scratch[i] = Π_{j<i} (x2 − x1)_j, then one inversion, walked back.
        var acc = F.One;
        for (var i = 0; i < n; i++)
        {
            scratch[i] = acc;
            acc *= x2[i] - x1[i];
        }
        var inv = acc.Inverse();
        for (var i = n - 1; i >= 0; i--)
        {
            var dx = x2[i] - x1[i];
            var dxInv = inv * scratch[i];
            inv *= dx;
            var lambda = (y2[i] - y1[i]) * dxInv;
            var x3 = lambda.Square() - x1[i] - x2[i];
            y1[i] = lambda * (x1[i] - x3) - y1[i];
            x1[i] = x3;
        }
    }
}
