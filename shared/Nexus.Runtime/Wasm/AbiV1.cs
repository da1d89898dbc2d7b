namespace Nexus.Runtime.Wasm;

/// <summary>
/// Constants of guest ABI v1 (apps/sdk/ABI.md). They are consensus rules: changing one changes which
/// inputs are accepted, so a change is a new ABI version, never an edit here.
/// </summary>
public static class AbiV1
{
    public const string ImportModule = "nexus_v1";
    public const string EntryPoint = "nexus_handle";
    public const string MemoryExport = "memory";

    public const int MetaSize = 208;
    public const int MaxKeyLength = 1024;
    public const int MaxValueLength = 256 * 1024;
    public const int MaxOutputsPerInput = 256;
    public const int MaxOutputLength = 64 * 1024;
    public const int MaxOutputBytesPerInput = 1024 * 1024;
    public const int MaxAbortMessage = 256;
    public const int MaxDebugLine = 4096;
    public const int MaxDebugLinesPerInput = 64;

    public const long DefaultFuelLimit = 100_000_000;
    public const long MaxMemoryLimitBytes = 4L * 1024 * 1024 * 1024;
    public const uint MaxTableElements = 100_000;
    public const int MaxWriteBytesPerInput = 16 * 1024 * 1024;
    public const long MaxOutputBytesPerBlock = 8L * 1024 * 1024;
    public const long DefaultMemoryLimitBytes = 64L * 1024 * 1024;

    // Host calls cost fuel so that storage-heavy guests are bounded like compute-heavy ones.
    public const long HostCallFuel = 100;
    public const long FuelPerByte = 1;
    public const long StateWriteFuel = 1_000;
}
