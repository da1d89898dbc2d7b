using Marten;
using Nexus.AppStreams.Reading;

namespace Nexus.AppStreams;

/// <summary>
/// Where a service starts an app: its own head document, or a fresh head only when the stream holds
/// none of the events the service records. A stream with such events but no head means the head was
/// lost (a hostile or careless operator deleted it, or the database predates it); starting again from
/// zero would record every step a second time, so the service refuses, loudly, and retries with its
/// usual backoff until the head is restored.
/// </summary>
public static class ServiceHead
{
    /// <summary>Throws when the app's stream already holds a <typeparamref name="TRecorded"/> event: call it before starting a head.</summary>
    public static async Task RefuseWhenRecordedAsync<TRecorded>(IQuerySession session, string appId, string service, CancellationToken ct)
    {
        if (await AppStreamReader.LastAsync<TRecorded>(session, appId, ct) is { } last)
            throw new LostHeadException(
                $"app '{appId}' has {EventNames.Of<TRecorded>()} events in its stream (the last at version {last.Version}) but no {service} head: " +
                $"the head was lost or this database predates it; restore it (or recreate dev data) rather than run the app through the {service} again");
    }
}

/// <summary>A service's head for an app is missing while the stream shows the service already worked on it.</summary>
public sealed class LostHeadException(string message) : InvalidOperationException(message);
