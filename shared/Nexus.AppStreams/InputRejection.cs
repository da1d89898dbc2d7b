using Nexus.Contracts.Sequencer;

namespace Nexus.AppStreams;

/// <summary>Queryable record of every rejected log (also of unknown apps, which have no stream). Id = input id.</summary>
public sealed record InputRejection(string Id, string AppId, InputRejected Rejection, DateTimeOffset RecordedAt);
