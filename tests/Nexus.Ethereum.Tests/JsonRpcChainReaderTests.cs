using System.Net;
using System.Text;
using Nexus.Ethereum.Chain;

namespace Nexus.Ethereum.Tests;

/// <summary>
/// What the JSON-RPC reader makes of answers a node, proxy or gateway may send: only a well-formed
/// answer is an answer; a missing or null result, a log without topics, an HTTP error without a
/// JSON-RPC error are outages (retried), never "no logs" — which would move the listener past inputs.
/// </summary>
public sealed class JsonRpcChainReaderTests
{
    private const string Log = """{"address":"0x00000000000000000000000000000000000000aa","blockHash":"0x1111111111111111111111111111111111111111111111111111111111111111","blockNumber":"0x10","data":"0x01","logIndex":"0x2","topics":["0xABCD"],"transactionHash":"0x2222222222222222222222222222222222222222222222222222222222222222","transactionIndex":"0x0"}""";

    /// <summary>A one-shot HTTP endpoint that answers every request with <paramref name="body"/>.</summary>
    private static async Task<T> WithNodeAsync<T>(string body, Func<JsonRpcChainReader, Task<T>> call, int status = 200, string type = "application/json")
    {
        var port = Random.Shared.Next(40_000, 60_000);
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                context.Response.StatusCode = status;
                context.Response.ContentType = type;
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        using var reader = new JsonRpcChainReader($"http://127.0.0.1:{port}/");
        try
        {
            return await call(reader);
        }
        finally
        {
            listener.Stop();
            await serving;
        }
    }

    private static Task<IReadOnlyList<ChainLog>> Logs(JsonRpcChainReader r) => r.GetLogsAsync(new LogFilter("0xaa", []), 0, 20, default);

    [Fact]
    public async Task A_well_formed_answer_is_read_with_hex_in_lower_case()
    {
        var logs = await WithNodeAsync($$"""{"jsonrpc":"2.0","id":1,"result":[{{Log}}]}""", Logs);
        logs.Single().ShouldBe(logs.Single() with { BlockNumber = 16, LogIndex = 2, Topics = logs.Single().Topics });
        logs.Single().Topics.ShouldBe(["0xabcd"]);
        (await WithNodeAsync("""{"jsonrpc":"2.0","id":1,"result":null}""", r => r.GetHeaderAsync(5, default))).ShouldBeNull();
        (await WithNodeAsync("""{"jsonrpc":"2.0","id":1,"result":null}""", r => r.GetTransactionLogsAsync("0x01", default))).ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1}""")]                                  // neither result nor error
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":null}""")]                   // null is not "no logs"
    [InlineData("""[1,2]""")]                                                     // not a JSON-RPC object
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"not":"a list"}}""")]
    public async Task An_answer_that_is_not_a_list_of_logs_is_an_outage_not_an_empty_range(string body) =>
        await Should.ThrowAsync<ChainUnavailableException>(() => WithNodeAsync(body, Logs));

    [Theory]
    [InlineData("topics null")]
    [InlineData("no data")]
    [InlineData("block number past 2^63")]
    [InlineData("log index past 2^31")]
    public async Task A_log_missing_a_field_or_out_of_range_is_refused(string change)
    {
        var log = change switch
        {
            "topics null" => Log.Replace("\"topics\":[\"0xABCD\"]", "\"topics\":null"),
            "no data" => Log.Replace("\"data\":\"0x01\",", ""),
            "block number past 2^63" => Log.Replace("\"blockNumber\":\"0x10\"", "\"blockNumber\":\"0xffffffffffffffff\""),
            _ => Log.Replace("\"logIndex\":\"0x2\"", "\"logIndex\":\"0x100000000\""),
        };
        log.ShouldNotBe(Log);
        await Should.ThrowAsync<ChainUnavailableException>(() => WithNodeAsync($$"""{"jsonrpc":"2.0","id":1,"result":[{{log}}]}""", Logs));
    }

    [Fact]
    public async Task An_HTTP_error_without_a_JSON_RPC_error_is_an_outage_and_a_node_error_is_the_node_s()
    {
        await Should.ThrowAsync<ChainUnavailableException>(() => WithNodeAsync("""{"message":"Too Many Requests"}""", Logs, status: 429));
        await Should.ThrowAsync<ChainUnavailableException>(() => WithNodeAsync("<html>bad gateway</html>", Logs, status: 502, type: "text/html"));
        await Should.ThrowAsync<LogRangeTooLargeException>(() => WithNodeAsync("""{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}""", Logs));
        (await Should.ThrowAsync<ChainRpcException>(() => WithNodeAsync("""{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params"}}""", Logs)))
            .Code.ShouldBe(-32602);
    }
}
