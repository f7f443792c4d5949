using System.Globalization;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Pages;

/// <summary>
/// Turns a page's partial errors about tweets that do not exist into deletions. The X API writes
/// such an error as a <c>ResourceNotFoundProblem</c>: <c>type</c>
/// <c>https://api.twitter.com/2/problems/resource-not-found</c>, <c>resource_type</c> <c>tweet</c>
/// and the tweet id in <c>resource_id</c> (as in a recorded user lookup: "Could not find tweet with
/// pinned_tweet_id"). The same problem type with <c>resource_type</c> <c>user</c> (a suspended
/// author) and the <c>not-authorized-for-resource</c> problem (a protected tweet) are not deletions.
/// </summary>
internal static class NotFoundTweets
{
    /// <summary>The problem type URI of an item that does not exist.</summary>
    public const string ResourceNotFoundType = "https://api.twitter.com/2/problems/resource-not-found";

    /// <summary>Returns whether <paramref name="error"/> reports a tweet that does not exist.</summary>
    public static bool IsTweetNotFound(PartialError error) =>
        error.Type == ResourceNotFoundType
        && error.ResourceType == "tweet"
        && TweetDeletion.IsTweetId(error.ResourceId);

    /// <summary>
    /// Returns one <see cref="TweetDeletion.NotFound"/> deletion per tweet id that <paramref name="errors"/>
    /// report not found, in page order, leaving out the ids of <paramref name="pageTweetIds"/>: a tweet
    /// that the same page delivered exists.
    /// </summary>
    public static List<TweetDeletion> ToDeletions(
        IReadOnlyList<PartialError> errors,
        IEnumerable<long> pageTweetIds,
        CollectionSource source,
        DateTimeOffset observedAt)
    {
        var deletions = new List<TweetDeletion>();
        var skipped = pageTweetIds.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        foreach (var error in errors.Where(IsTweetNotFound))
        {
            // A tweet that several tweets of the page refer to is reported once per reference.
            if (skipped.Add(error.ResourceId!))
            {
                deletions.Add(new TweetDeletion(error.ResourceId!, TweetDeletion.NotFound, source, observedAt));
            }
        }

        return deletions;
    }
}
