using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Ethereum.Chain;

/// <summary>
/// <see cref="IChainReader"/> over Ethereum JSON-RPC on HTTP, parsed with System.Text.Json straight into
/// the few fields the listener and the replicas read. Nethereum's client (Newtonsoft, a JToken tree and
/// its DTOs, checksummed addresses) was the largest CPU cost of ingestion in the profile: every input
/// arrives through eth_getLogs here. Transport failures become <see cref="ChainUnavailableException"/>,
/// a node's "ask for less" <see cref="LogRangeTooLargeException"/>, other JSON-RPC errors
/// <see cref="ChainRpcException"/>. Checked against Nethereum's client on the dev node.
/// </summary>
public sealed class JsonRpcChainReader : IChainReader, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly HttpClient _http;
    private readonly Uri _url;
    private long _ids;

    public JsonRpcChainReader(string rpcUrl, TimeSpan? timeout = null)
    {
        _url = new Uri(rpcUrl);
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
    }

    /// <summary>Calls sent so far (each request's id is the next number): what a listener costs its node.</summary>
    public long Calls => Interlocked.Read(ref _ids);

    public async Task<long> GetChainIdAsync(CancellationToken ct) => Quantity(await CallAsync<string>("eth_chainId", [], ct, nullable: false));

    public async Task<long> GetHeadAsync(CancellationToken ct) => Quantity(await CallAsync<string>("eth_blockNumber", [], ct, nullable: false));

    /// <summary>A null result is the node's "no such block".</summary>
    public async Task<BlockHeader?> GetHeaderAsync(long number, CancellationToken ct) =>
        await CallAsync<RawBlock>("eth_getBlockByNumber", [ToQuantity(number), false], ct, nullable: true) is { } b
            ? new BlockHeader(Quantity(b.Number), Lower(b.Hash), Lower(b.ParentHash), Quantity(b.Timestamp))
            : null;

    /// <summary>A missing or null result is not "no logs": it is an answer this reader will not take as one.</summary>
    public async Task<IReadOnlyList<ChainLog>> GetLogsAsync(LogFilter filter, long from, long to, CancellationToken ct)
    {
        var query = new RawFilter(filter.Address, ToQuantity(from), ToQuantity(to), filter.Topics);
        var logs = await CallAsync<RawLog[]>("eth_getLogs", [query], ct, nullable: false);
        return Array.ConvertAll(logs!, ToChainLog);
    }

    /// <summary>A null result is the node's "no such transaction".</summary>
    public async Task<IReadOnlyList<ChainLog>?> GetTransactionLogsAsync(string txHash, CancellationToken ct) =>
        await CallAsync<RawReceipt>("eth_getTransactionReceipt", [txHash], ct, nullable: true) is { } receipt
            ? Array.ConvertAll(receipt.Logs ?? throw Malformed("eth_getTransactionReceipt", "a receipt without logs"), ToChainLog)
            : null;

    /// <summary>
    /// One call. The answer must be JSON-RPC: an error object, or a <c>result</c> member that is present
    /// (and not null unless <paramref name="nullable"/>); anything else — an HTTP error without a JSON-RPC
    /// error, a body without <c>result</c> — is the node being unavailable, never an empty answer.
    /// </summary>
    private async Task<T?> CallAsync<T>(string method, object?[] parameters, CancellationToken ct, bool nullable) where T : class
    {
        var request = new RawRequest("2.0", Interlocked.Increment(ref _ids), method, parameters);
        JsonDocument body;
        try
        {
            using var http = await _http.PostAsJsonAsync(_url, request, Json, ct);
            if (http.Content.Headers.ContentType?.MediaType != "application/json")
                throw new ChainUnavailableException($"Ethereum RPC unavailable: HTTP {(int)http.StatusCode} from {_url.Host}, not JSON");
            await using var stream = await http.Content.ReadAsStreamAsync(ct);
            body = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            if (!http.IsSuccessStatusCode && !body.RootElement.TryGetProperty("error", out _))
                throw new ChainUnavailableException($"Ethereum RPC unavailable: HTTP {(int)http.StatusCode} from {_url.Host}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ChainUnavailableException($"Ethereum RPC unavailable: {e.GetBaseException().Message}", e);
        }
        catch (JsonException e)
        {
            throw new ChainUnavailableException($"Ethereum RPC answered {method} with something that is not JSON: {e.Message}", e);
        }
        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Malformed(method, "not a JSON-RPC object");
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
                throw RpcErrors.IsRangeTooLarge(code, message)
                    ? new LogRangeTooLargeException(message)
                    : new ChainRpcException(code, $"{method}: {message} ({code})");
            }
            if (!root.TryGetProperty("result", out var result))
                throw Malformed(method, "no result and no error");
            if (result.ValueKind == JsonValueKind.Null)
                return nullable ? null : throw Malformed(method, "a null result");
            try
            {
                return result.Deserialize<T>(Json) ?? throw Malformed(method, "an empty result");
            }
            catch (JsonException e)
            {
                throw Malformed(method, e.Message);
            }
        }
    }

    private static ChainUnavailableException Malformed(string method, string what) =>
        new($"Ethereum RPC answered {method} with {what}: not taken as an answer");

    /// <summary>Every field a log has must be there: a log without topics or data is not read as one with none.</summary>
    private static ChainLog ToChainLog(RawLog l) => new(
        Quantity(l.BlockNumber), Lower(l.BlockHash), Lower(l.TransactionHash), Index(l.TransactionIndex), Index(l.LogIndex),
        Lower(l.Address), Array.ConvertAll(l.Topics ?? throw new ChainUnavailableException("Ethereum RPC sent a log without topics"), Lower), Lower(l.Data));

    private static string ToQuantity(long n) => "0x" + n.ToString("x", CultureInfo.InvariantCulture);

    private static long Quantity(string? hex) =>
        hex is { Length: > 2 } && hex.StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n) && n <= long.MaxValue
            ? (long)n
            : throw new ChainUnavailableException($"Ethereum RPC sent '{hex}' where a quantity belongs");

    private static int Index(string? hex) => Quantity(hex) is var n and <= int.MaxValue
        ? (int)n
        : throw new ChainUnavailableException($"Ethereum RPC sent '{hex}' where an index belongs");

    /// <summary>Hex as nodes send it is lower case; a copy is made only when it is not.</summary>
    private static string Lower(string? hex) => hex is null
        ? throw new ChainUnavailableException("Ethereum RPC left out a field every log and block has")
        : hex.AsSpan().ContainsAnyInRange('A', 'Z') ? hex.ToLowerInvariant() : hex;

    public void Dispose() => _http.Dispose();

    private sealed record RawRequest(string Jsonrpc, long Id, string Method, object?[] Params);

    private sealed record RawFilter(string Address, string FromBlock, string ToBlock, IReadOnlyList<string?> Topics);

    private sealed record RawBlock(string? Number, string? Hash, string? ParentHash, string? Timestamp);

    private sealed record RawReceipt(RawLog[]? Logs);

    private sealed record RawLog(string? Address, string? BlockHash, string? BlockNumber, string? Data, string? LogIndex,
        string[]? Topics, string? TransactionHash, string? TransactionIndex);
}

/// <summary>The node answered with a JSON-RPC error other than "ask for less".</summary>
public sealed class ChainRpcException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>How nodes and providers say "ask for less" — there is no standard code, so match the known texts.</summary>
public static class RpcErrors
{
    private static readonly string[] RangeHints =
    [
        "too many", "more than", "limit exceeded", "block range", "range is too large", "range too large",
        "exceed", "query timeout", "response size", "10000 results", "max results",
    ];

    public static bool IsRangeTooLarge(int? code, string message) =>
        code == -32005 || RangeHints.Any(h => message.Contains(h, StringComparison.OrdinalIgnoreCase));
}
