namespace Nexus.AppStreams;

/// <summary>
/// How far an app's blocks are threshold-signed: the coordinator stores it with each
/// <c>BlockSigned</c> it appends, in the same transaction, and checks it under the stream's lock so a
/// height is signed once. The CLI and the demo show it.
/// </summary>
public sealed record AppSigning(string Id, long Height, string HeaderHash, DateTimeOffset SignedAt);
