using System.Text.Json;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Contracts.Signer;

namespace Nexus.MpcSigner.Replica;

/// <summary>A proposal that cannot be read: a protocol error (InvalidArgument), not a disagreement.</summary>
public sealed class MalformedProposalException(string message) : Exception(message);

/// <summary>The stream records inside a <see cref="BlockProposal"/>, as JSON both sides read the same way.</summary>
public static class ProposalJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true };

    public static Google.Protobuf.ByteString Encode<T>(T value) => Google.Protobuf.ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(value, Options));

    /// <summary>The app's registration in the proposal (null when absent).</summary>
    public static AppRegistered? Registration(Google.Protobuf.ByteString json) => Read<AppRegistered>(json, "registration_json");

    /// <summary>A pinned registration, as the replica stored it.</summary>
    public static AppRegistered Registration(string json) => Read<AppRegistered>(Google.Protobuf.ByteString.CopyFromUtf8(json), "registration")!;

    public static (BlockSealed Seal, IReadOnlyList<SequencedInput> Inputs, AppCodeDeployed? Deployment) Decode(BlockProposal proposal)
    {
        var seal = Read<BlockSealed>(proposal.SealJson, "seal_json")
            ?? throw new MalformedProposalException("seal_json is empty");
        var inputs = Read<List<SequencedInput>>(proposal.InputsJson, "inputs_json")
            ?? throw new MalformedProposalException("inputs_json is empty");
        if (inputs.Any(i => i is null))
            throw new MalformedProposalException("inputs_json holds a null input");
        var deployment = proposal.DeploymentJson.IsEmpty ? null : Read<AppCodeDeployed>(proposal.DeploymentJson, "deployment_json");
        return (seal, inputs, deployment);
    }

    /// <summary>The code hash of the deployment in a proposal (null when the block runs no code).</summary>
    public static string? CodeHash(BlockProposal proposal) => Read<AppCodeDeployed>(proposal.DeploymentJson, "deployment_json")?.CodeHash;

    private static T? Read<T>(Google.Protobuf.ByteString bytes, string field)
    {
        if (bytes.IsEmpty)
            return default;
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, Options);
        }
        catch (JsonException e)
        {
            throw new MalformedProposalException($"{field}: {e.Message}");
        }
    }
}
