using System.Text;
using Wasmtime;

namespace Nexus.Runtime.Wasm;

/// <summary>Raised inside a host call to end the input; the reason is kept in the <see cref="InputContext"/>.</summary>
internal sealed class GuestFault(string message) : Exception(message);

/// <summary>
/// The <c>nexus_v1</c> host functions. They are defined once on the linker and find the running
/// input through the store's data, so instantiating adds no per-input closures. Every call is charged
/// fuel before it does any work, and every guest range is bounds-checked before it is touched.
/// </summary>
internal static class HostCalls
{
    public static void Define(Linker linker)
    {
        const string m = AbiV1.ImportModule;

        linker.DefineFunction(m, "input_meta", (Caller c, int dst) =>
        {
            var ctx = Enter(c, AbiV1.MetaSize);
            ctx.Input.Meta.CopyTo(ctx.Guest(dst, AbiV1.MetaSize));
        });

        linker.DefineFunction(m, "input_len", (Caller c) => Enter(c, 0).Input.Data.Length);

        linker.DefineFunction(m, "input_read", (Caller c, int dst, int offset, int len) =>
        {
            var ctx = Enter(c, 0);
            var data = ctx.Input.Data;
            if ((uint)offset > (uint)data.Length)
                throw ctx.Misuse($"input_read offset {(uint)offset} is past the input's {data.Length} bytes");
            var count = (int)Math.Min((uint)len, (uint)(data.Length - offset));
            ctx.Charge(count);
            data.AsSpan(offset, count).CopyTo(ctx.Guest(dst, count));
            return count;
        });

        linker.DefineFunction(m, "input_topic", (Caller c, int index, int dst) =>
        {
            var ctx = Enter(c, 32);
            var topics = ctx.Input.Topics;
            if ((uint)index >= (uint)topics.Length)
                return -1;
            topics[index].CopyTo(ctx.Guest(dst, 32));
            return 0;
        });

        linker.DefineFunction(m, "state_get", (Caller c, int key, int keyLen, int dst, int cap) =>
        {
            var ctx = Enter(c, 0);
            var k = ctx.Key(key, keyLen);
            if (!ctx.TryRead(k, out var value))
                return -1;
            var count = Math.Min((uint)cap, (uint)value.Length);
            ctx.Charge(count);
            value.AsSpan(0, (int)count).CopyTo(ctx.Guest(dst, (int)count));
            return value.Length;
        });

        linker.DefineFunction(m, "state_set", (Caller c, int key, int keyLen, int val, int valLen) =>
        {
            var ctx = Enter(c, AbiV1.StateWriteFuel);
            var k = ctx.Key(key, keyLen);
            if ((uint)valLen > AbiV1.MaxValueLength)
                throw ctx.Misuse($"state_set value of {(uint)valLen} bytes exceeds {AbiV1.MaxValueLength}");
            ctx.Charge(valLen);
            ctx.Write(k.ToArray(), ctx.Guest(val, valLen).ToArray());
        });

        linker.DefineFunction(m, "state_delete", (Caller c, int key, int keyLen) =>
        {
            var ctx = Enter(c, AbiV1.StateWriteFuel);
            var k = ctx.Key(key, keyLen);
            var existed = ctx.TryRead(k, out _);
            ctx.Write(k.ToArray(), null);
            return existed ? 1 : 0;
        });

        linker.DefineFunction(m, "emit_notice", (Caller c, int ptr, int len) =>
        {
            var ctx = Enter(c, 0);
            ctx.Emit(OutputKind.Notice, ReadOnlySpan<byte>.Empty, ptr, len);
        });

        linker.DefineFunction(m, "emit_call", (Caller c, int target, int data, int len) =>
        {
            var ctx = Enter(c, 20);
            ctx.Emit(OutputKind.Call, ctx.Guest(target, 20), data, len);
        });

        linker.DefineFunction(m, "abort", (Caller c, int msg, int len) =>
        {
            var ctx = Enter(c, 0);
            var count = (int)Math.Min((uint)len, AbiV1.MaxAbortMessage);
            ctx.Charge(count);
            var text = Encoding.UTF8.GetString(ctx.Guest(msg, count));
            throw ctx.Fail(RejectReason.AppAborted, text);
        });

        linker.DefineFunction(m, "debug_log", (Caller c, int msg, int len) =>
        {
            var ctx = Enter(c, 0);
            var count = (int)Math.Min((uint)len, AbiV1.MaxDebugLine);
            ctx.Charge(count);
            ctx.DebugLog(ctx.Guest(msg, count));
        });
    }

    private static InputContext Enter(Caller caller, long bytes)
    {
        var ctx = (InputContext)caller.GetData()!;
        ctx.Enter(AbiV1.HostCallFuel + bytes * AbiV1.FuelPerByte);
        return ctx;
    }
}
