using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Options;
using Nexus.Ethereum;
using Nexus.Hosting;

namespace Nexus.ChainListener.Scanning;

/// <summary>
/// Wakes the listener when the node announces a block (<c>eth_subscribe("newHeads")</c> over
/// WebSocket), so a confirmed log is read at once instead of at the next poll. Polling stays the
/// fallback: if the node has no WebSocket endpoint or the socket drops, nothing is missed, only later.
/// Nethereum's streaming client is not served here, so this speaks the two JSON-RPC messages itself.
/// </summary>
public sealed class NewHeads(IOptions<EthereumOptions> ethereum, IOptions<ListenerOptions> options, ILogger<NewHeads> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Waits for the next announced block, or at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try { await _signal.WaitAsync(linked.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var url = WebSocketUrl();
        if (url is null) return;
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(url, ct);
                await SendAsync(socket, """{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}""", ct);
                backoff.Reset();
                logger.LogInformation("Subscribed to new heads at {Url}", url);
                await ReceiveAsync(socket, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is WebSocketException or IOException or InvalidOperationException)
            {
                logger.Log(backoff.Failures == 0 ? LogLevel.Information : LogLevel.Debug,
                    "No new-heads subscription at {Url} ({Error}); polling every {Poll} ms meanwhile", url, e.GetBaseException().Message, options.Value.PollIntervalMs);
            }
            await Task.Delay(backoff.NextDelay(), ct);
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var message = new StringBuilder();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) return;
            message.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (!result.EndOfMessage) continue;
            if (message.ToString().Contains("\"eth_subscription\"", StringComparison.Ordinal)) Signal();
            message.Clear();
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    private Uri? WebSocketUrl()
    {
        var o = ethereum.Value;
        if (!o.SubscribeNewHeads) return null;
        if (!string.IsNullOrEmpty(o.WebSocketUrl)) return new Uri(o.WebSocketUrl);
        var http = new UriBuilder(o.RpcUrl);
        http.Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return http.Uri;
    }
}
