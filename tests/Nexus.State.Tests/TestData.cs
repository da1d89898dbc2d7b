using System.Text;

namespace Nexus.State.Tests;

internal static class TestData
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static StateTree RandomTree(Random random, int count, out Dictionary<string, byte[]> model)
    {
        var tree = new StateTree();
        model = [];
        while (tree.Count < count)
        {
            var key = RandomBytes(random, random.Next(0, 40));
            var value = RandomBytes(random, random.Next(0, 80));
            tree.Set(key, value);
            model[Hex(key)] = value;
        }
        return tree;
    }

    /// <summary>A simulated node store: what TakeNewNodes hands out, kept by id.</summary>
    public sealed class NodeStore
    {
        public Dictionary<string, byte[]> Bodies { get; } = [];
        public int Fetches { get; private set; }

        public void Add(IEnumerable<StateNode> nodes)
        {
            foreach (var node in nodes) Bodies[Hex(node.Hash)] = node.Body;
        }

        public IEnumerable<StateNode> FetchMany(IReadOnlyList<byte[]> ids)
        {
            Fetches++;
            return ids.Where(id => Bodies.ContainsKey(Hex(id))).Select(id => new StateNode(id, Bodies[Hex(id)])).ToList();
        }

        public byte[]? FetchOne(byte[] id) => Bodies.GetValueOrDefault(Hex(id));
    }
}
