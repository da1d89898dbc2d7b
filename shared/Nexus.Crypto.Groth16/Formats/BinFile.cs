using System.Buffers.Binary;
using System.Text;

namespace Nexus.Crypto.Groth16.Formats;

/// <summary>
/// The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau: a 4-byte magic, a u32 version,
/// a u32 section count, then sections of (u32 type, u64 size, bytes), all little-endian. Sections may
/// come in any order; a type may appear once. Whole file in memory: proving keys are read once.
/// </summary>
public sealed class BinFile
{
    private readonly Dictionary<uint, ReadOnlyMemory<byte>> _sections = [];

    public string Magic { get; }
    public uint Version { get; }
    public string Path { get; }

    private BinFile(string path, string magic, uint version)
    {
        Path = path;
        Magic = magic;
        Version = version;
    }

    public static BinFile Read(string path, string magic, uint maxVersion)
    {
        var bytes = File.ReadAllBytes(path);
        return Parse(bytes, path, magic, maxVersion);
    }

    public static BinFile Parse(ReadOnlyMemory<byte> bytes, string path, string magic, uint maxVersion)
    {
        var span = bytes.Span;
        if (span.Length < 12 || Encoding.ASCII.GetString(span[..4]) != magic)
            throw new InvalidDataException($"{path}: not a .{magic} file (the first four bytes are not \"{magic}\")");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (version == 0 || version > maxVersion)
            throw new InvalidDataException($"{path}: .{magic} version {version} is not supported (1..{maxVersion})");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        var file = new BinFile(path, magic, version);
        long offset = 12;
        for (var i = 0; i < count; i++)
        {
            if (offset + 12 > span.Length)
                throw new InvalidDataException($"{path}: truncated in the header of section {i + 1} of {count}");
            var type = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)offset..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(span[(int)(offset + 4)..]);
            offset += 12;
            if (size > (ulong)(span.Length - offset))
                throw new InvalidDataException($"{path}: section {type} claims {size} bytes but only {span.Length - offset} remain");
            if (!file._sections.TryAdd(type, bytes.Slice((int)offset, (int)size)))
                throw new InvalidDataException($"{path}: section {type} appears twice");
            offset += (long)size;
        }
        if (offset != span.Length)
            throw new InvalidDataException($"{path}: {span.Length - offset} bytes after the last section");
        return file;
    }

    public SectionReader Section(uint type) => _sections.TryGetValue(type, out var data)
        ? new SectionReader(data, $"{Path}: section {type}")
        : throw new InvalidDataException($"{Path}: section {type} is missing");
}

/// <summary>Sequential little-endian reads inside one section, with errors naming the file and section.</summary>
public sealed class SectionReader(ReadOnlyMemory<byte> data, string where)
{
    private int _offset;

    public int Remaining => data.Length - _offset;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > Remaining)
            throw new InvalidDataException($"{where}: truncated (needs {count} more bytes, {Remaining} left)");
        var span = data.Span.Slice(_offset, count);
        _offset += count;
        return span;
    }

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

    public void End()
    {
        if (Remaining != 0)
            throw new InvalidDataException($"{where}: {Remaining} unexpected bytes at the end");
    }

    public InvalidDataException Error(string message) => new($"{where}: {message}");
}

/// <summary>Writes a binfile container; sections are buffered and written in the order added.</summary>
public sealed class BinFileWriter(string magic, uint version)
{
    private readonly List<(uint Type, MemoryStream Data)> _sections = [];

    public SectionWriter Section(uint type)
    {
        var stream = new MemoryStream();
        _sections.Add((type, stream));
        return new SectionWriter(stream);
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        using (var file = File.Create(tmp))
        {
            Span<byte> head = stackalloc byte[12];
            Encoding.ASCII.GetBytes(magic, head);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], version);
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)_sections.Count);
            file.Write(head);
            foreach (var (type, data) in _sections)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(head, type);
                BinaryPrimitives.WriteUInt64LittleEndian(head[4..], (ulong)data.Length);
                file.Write(head);
                data.Position = 0;
                data.CopyTo(file);
            }
        }
        File.Move(tmp, path, overwrite: true);
    }
}

public sealed class SectionWriter(Stream stream)
{
    public void Bytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public void U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        stream.Write(b);
    }

    public void U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        stream.Write(b);
    }
}
