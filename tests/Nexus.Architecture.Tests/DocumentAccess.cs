using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Nexus.Architecture.Tests;

/// <summary>A document call found in compiled code: the Marten method and the document type it names.</summary>
public sealed record DocumentCall(string Method, string DocumentAssembly, string DocumentType)
{
    public override string ToString() => $"{Method}<{DocumentType}> ({DocumentAssembly})";
}

/// <summary>
/// Reads an assembly's metadata (no loading, no running) for every generic Marten call that names a
/// document type — load, query, store, delete, patch, fetch-for-writing — and the type it names. What a
/// service's code reads and writes is then checkable against what it owns.
/// </summary>
public static class DocumentAccess
{
    private static readonly HashSet<string> DocumentMethods =
    [
        "Load", "LoadAsync", "LoadMany", "LoadManyAsync", "Query", "Store", "Insert", "Update", "Delete", "DeleteWhere",
        "HardDelete", "HardDeleteWhere", "Patch", "FetchForWriting", "FetchForExclusiveWriting", "FetchLatest", "AggregateStreamAsync",
    ];

    public static IReadOnlyList<DocumentCall> In(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var self = md.GetString(md.GetAssemblyDefinition().Name);
        var provider = new TypeNames(md, self);
        var calls = new List<DocumentCall>();
        for (var row = 1; row <= md.GetTableRowCount(TableIndex.MethodSpec); row++)
        {
            var spec = md.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(row));
            if (spec.Method.Kind != HandleKind.MemberReference)
                continue;
            var member = md.GetMemberReference((MemberReferenceHandle)spec.Method);
            var name = md.GetString(member.Name);
            if (!DocumentMethods.Contains(name) || !provider.ParentNamespace(member.Parent).StartsWith("Marten", StringComparison.Ordinal))
                continue;
            foreach (var argument in spec.DecodeSignature(provider, null))
                if (argument is { Assembly: { } assembly } && argument.FullName is { } type)
                    calls.Add(new DocumentCall(name, assembly, type));
        }
        return calls;
    }

    /// <summary>A type as a name and the assembly that defines it (null for generic parameters and primitives).</summary>
    public sealed record TypeName(string? Assembly, string? FullName);

    private sealed class TypeNames(MetadataReader md, string self) : ISignatureTypeProvider<TypeName, object?>
    {
        private static readonly TypeName None = new(null, null);

        public string ParentNamespace(EntityHandle parent) => parent.Kind switch
        {
            HandleKind.TypeReference => Namespace(md.GetTypeReference((TypeReferenceHandle)parent)),
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)parent).DecodeSignature(this, null).FullName ?? "",
            _ => "",
        };

        private string Namespace(TypeReference t) => t.ResolutionScope.Kind == HandleKind.TypeReference
            ? Namespace(md.GetTypeReference((TypeReferenceHandle)t.ResolutionScope))
            : md.GetString(t.Namespace);

        public TypeName GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var t = reader.GetTypeDefinition(handle);
            return new TypeName(self, Join(reader.GetString(t.Namespace), reader.GetString(t.Name)));
        }

        public TypeName GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var t = reader.GetTypeReference(handle);
            var scope = t.ResolutionScope;
            while (scope.Kind == HandleKind.TypeReference)
                scope = reader.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
            var assembly = scope.Kind == HandleKind.AssemblyReference
                ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name)
                : self;
            return new TypeName(assembly, Join(Namespace(t), reader.GetString(t.Name)));
        }

        public TypeName GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);

        public TypeName GetGenericInstantiation(TypeName genericType, ImmutableArray<TypeName> typeArguments) => genericType;
        public TypeName GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public TypeName GetSZArrayType(TypeName elementType) => None;
        public TypeName GetArrayType(TypeName elementType, ArrayShape shape) => None;
        public TypeName GetByReferenceType(TypeName elementType) => None;
        public TypeName GetPointerType(TypeName elementType) => None;
        public TypeName GetPinnedType(TypeName elementType) => None;
        public TypeName GetFunctionPointerType(MethodSignature<TypeName> signature) => None;
        public TypeName GetGenericMethodParameter(object? context, int index) => None;
        public TypeName GetGenericTypeParameter(object? context, int index) => None;
        public TypeName GetModifiedType(TypeName modifier, TypeName unmodifiedType, bool isRequired) => unmodifiedType;

        private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
    }
}
