using Nexus.Contracts.Sequencer;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// The sequencer's index of rejected logs by input id (its document), so a log reported again by the
/// inbox-wide watch is rejected once. The rejection itself is an <see cref="InputRejected"/> event in
/// the app's stream, or in the stream of unregistered app ids.
/// </summary>
public sealed record InputRejection(string Id, string AppId, InputRejected Rejection, DateTimeOffset RecordedAt);
