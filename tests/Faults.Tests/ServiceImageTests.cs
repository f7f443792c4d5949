using System.Text;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Faults.Tests;

/// <summary>
/// Builds every service image from a copy of the repository with a <c>.env</c> at its root with a
/// bearer token, as a developer's checkout does. The token must reach no layer and no history
/// entry, and every image must run its service as a non-root user.
/// </summary>
public sealed class ServiceImageTests : IClassFixture<ServiceImageTests.ImagesFromCheckoutWithEnv>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    // Settings that every service validates at start, pointing at nothing, so validation passes and startup waits for PostgreSQL.
    private const string RequiredSettings =
        "-e ConnectionStrings__Postgres=Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x "
        + "-e ConnectionStrings__Mongo=mongodb://127.0.0.1:1 "
        + "-e Slack__WebhookUrl=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX -e Slack__Keywords__0=brexit";

    private readonly ImagesFromCheckoutWithEnv images;

    public ServiceImageTests(ImagesFromCheckoutWithEnv images)
    {
        this.images = images;
    }

    public static TheoryData<string> Services() => new(ImagesFromCheckoutWithEnv.ServiceFolders);

    [Theory]
    [MemberData(nameof(Services))]
    public void History_EnvFileInContext_HoldsNoToken(string service)
    {
        var image = images.Build(service);

        var (exitCode, history) = DockerEngine.Run("docker", $"history --no-trunc --format \"{{{{.CreatedBy}}}} {{{{.Comment}}}}\" {image}");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(images.TokenParts, part => history.Contains(part, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Layers_EnvFileInContext_HoldNoToken(string service)
    {
        var image = images.Build(service);
        var archive = Path.Combine(images.WorkDirectory, $"{service}.tar");

        // docker save writes layers as uncompressed tar files, so any file content appears verbatim in the archive.
        var (exitCode, output) = DockerEngine.Run("docker", $"save -o \"{archive}\" {image}", timeout: CommandTimeout);
        Assert.True(exitCode == 0, output);
        var bytes = File.ReadAllBytes(archive);
        File.Delete(archive);

        Assert.DoesNotContain(images.TokenParts, part => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(part)) >= 0);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void ConfigUser_Image_IsNonRoot(string service)
    {
        var image = images.Build(service);

        var user = DockerEngine.Run("docker", $"inspect -f \"{{{{.Config.User}}}}\" {image}").Output.Trim();

        Assert.True(int.TryParse(user, out var uid), $"{image} has Config.User '{user}', expected a numeric uid.");
        Assert.NotEqual(0, uid);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void RunningService_Process_HasNonZeroUid(string service)
    {
        var image = images.Build(service);
        var name = $"pipeline-faults-{service.Replace('_', '-')}-{Guid.NewGuid():N}"[..40];

        // No database is reachable, so the service keeps retrying its startup for the whole timeout, long enough to list its processes.
        var (runExit, runOutput) = DockerEngine.Run(
            "docker",
            $"run -d --name {name} -e Hosting__StartupTimeout=00:01:00 {RequiredSettings} {image}");
        try
        {
            Assert.True(runExit == 0, runOutput);
            // docker top requires the pid column, so uid is the second column.
            var (topExit, top) = DockerEngine.Run("docker", $"top {name} -o pid,uid,args");
            Assert.True(topExit == 0, top);

            var processes = top.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            Assert.NotEmpty(processes);
            Assert.All(processes, line => Assert.NotEqual("0", line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        }
        finally
        {
            DockerEngine.Run("docker", $"rm -f {name}");
        }
    }

    /// <summary>
    /// A copy of the committed repository under the temporary folder with a <c>.env</c> at its
    /// root, and each service image built from it once, on first use.
    /// </summary>
    public sealed class ImagesFromCheckoutWithEnv : IDisposable
    {
        public static readonly string[] ServiceFolders = ["get_tweets", "postgres-writer", "mongo-writer", "slackbot"];

        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

        private readonly Dictionary<string, string> built = [];
        private readonly string tag = Guid.NewGuid().ToString("N")[..12];
        private readonly Lazy<string> checkout;

        public ImagesFromCheckoutWithEnv()
        {
            WorkDirectory = Path.Combine(Path.GetTempPath(), $"pipeline-faults-{tag}");
            Token = $"AAAAfaults{Guid.NewGuid():N}{Guid.NewGuid():N}";
            checkout = new Lazy<string>(CreateCheckout);
        }

        /// <summary>A folder of this fixture's own under the temporary folder; deleted on dispose.</summary>
        public string WorkDirectory { get; }

        /// <summary>The bearer token written into the copy's <c>.env</c>.</summary>
        public string Token { get; }

        /// <summary>The whole token and each 16-character slice of it, so a partial copy is caught too.</summary>
        public IReadOnlyList<string> TokenParts =>
            [Token, .. Enumerable.Range(0, Token.Length / 16).Select(i => Token.Substring(i * 16, 16))];

        /// <summary>Builds the image of a service from the copy, once, and returns its tag; skips without Docker.</summary>
        public string Build(string service)
        {
            DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
            lock (built)
            {
                if (built.TryGetValue(service, out var existing))
                {
                    return existing;
                }

                var image = $"pipeline-faults/{service}:{tag}";
                var (exitCode, output) = DockerEngine.Run(
                    "docker",
                    $"build -f services/{service}/Dockerfile -t {image} .",
                    checkout.Value,
                    BuildTimeout);
                Assert.True(exitCode == 0, $"docker build of {service} failed ({exitCode}):\n{output}");
                built[service] = image;
                return image;
            }
        }

        public void Dispose()
        {
            foreach (var image in built.Values)
            {
                DockerEngine.Run("docker", $"rmi -f {image}");
            }

            if (Directory.Exists(WorkDirectory))
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
        }

        private string CreateCheckout()
        {
            var copy = Path.Combine(WorkDirectory, "repo");
            Directory.CreateDirectory(copy);
            var archive = Path.Combine(WorkDirectory, "repo.tar");
            var (archiveExit, archiveOutput) = DockerEngine.Run("git", $"archive --format=tar -o \"{archive}\" HEAD", TestData.RepositoryRoot);
            Assert.True(archiveExit == 0, archiveOutput);
            var (extractExit, extractOutput) = DockerEngine.Run("tar", $"-xf \"{archive}\" -C \"{copy}\"");
            Assert.True(extractExit == 0, extractOutput);
            File.Delete(archive);

            File.WriteAllText(Path.Combine(copy, ".env"), $"X_BEARER_TOKEN={Token}\nPOSTGRES_PASSWORD={Token}\n");
            return copy;
        }
    }
}
