using Wasmtime;

namespace Nexus.Runtime.Wasm;

/// <summary>Deploy-time checks that a module is an ABI v1 app (apps/sdk/ABI.md, "Module shape").</summary>
internal static class ModuleShape
{
    private const ValueKind I32 = ValueKind.Int32;

    private static readonly Dictionary<string, (ValueKind[] Params, ValueKind[] Results)> Imports = new()
    {
        ["input_meta"] = ([I32], []),
        ["input_len"] = ([], [I32]),
        ["input_read"] = ([I32, I32, I32], [I32]),
        ["input_topic"] = ([I32, I32], [I32]),
        ["state_get"] = ([I32, I32, I32, I32], [I32]),
        ["state_set"] = ([I32, I32, I32, I32], []),
        ["state_delete"] = ([I32, I32], [I32]),
        ["emit_notice"] = ([I32, I32], []),
        ["emit_call"] = ([I32, I32, I32], []),
        ["abort"] = ([I32, I32], []),
        ["debug_log"] = ([I32, I32], []),
    };

    /// <summary>Checks the binary's sections: a start function would run before any input exists.</summary>
    public static void Check(ReadOnlySpan<byte> wasm)
    {
        if (wasm.Length < 8 || !wasm[..4].SequenceEqual("\0asm"u8))
            throw new InvalidAppModuleException("not a WebAssembly binary (missing the \\0asm magic)");
        if (wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0)
            throw new InvalidAppModuleException("not a WebAssembly core module version 1 (components are not supported)");
        var at = 8;
        while (at < wasm.Length)
        {
            var id = wasm[at++];
            var size = Leb128(wasm, ref at);
            if (id == 8)
                throw new InvalidAppModuleException("the module declares a start function; apps may only run inside nexus_handle");
            if (size > (ulong)(wasm.Length - at))
                throw new InvalidAppModuleException("truncated section");
            at += (int)size;
        }
    }

    public static void CheckImportsAndExports(Module module)
    {
        foreach (var import in module.Imports)
        {
            if (import.ModuleName != AbiV1.ImportModule || !Imports.TryGetValue(import.Name, out var expected))
                throw new InvalidAppModuleException($"import {import.ModuleName}.{import.Name} is not part of the Nexus ABI v1 (only {AbiV1.ImportModule}.* host functions are)");
            if (import is not FunctionImport f || !f.Parameters.SequenceEqual(expected.Params) || !f.Results.SequenceEqual(expected.Results))
                throw new InvalidAppModuleException($"import {import.ModuleName}.{import.Name} has the wrong type; ABI v1: ({string.Join(", ", expected.Params)}) -> ({string.Join(", ", expected.Results)})");
        }
        var exports = module.Exports.ToDictionary(e => e.Name);
        if (!exports.TryGetValue(AbiV1.MemoryExport, out var memory) || memory is not MemoryExport { Is64Bit: false })
            throw new InvalidAppModuleException($"the module must export its 32-bit linear memory as '{AbiV1.MemoryExport}'");
        if (!exports.TryGetValue(AbiV1.EntryPoint, out var entry) || entry is not FunctionExport { Parameters.Count: 0 } fn || !fn.Results.SequenceEqual([I32]))
            throw new InvalidAppModuleException($"the module must export '{AbiV1.EntryPoint}: () -> i32'");
    }

    private static ulong Leb128(ReadOnlySpan<byte> wasm, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= wasm.Length)
                throw new InvalidAppModuleException("truncated section header");
            var b = wasm[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new InvalidAppModuleException("malformed section size");
    }
}
