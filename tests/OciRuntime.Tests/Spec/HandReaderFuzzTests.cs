using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OciRuntime.Spec;
using OciRuntime.Testing;
using Xunit;

namespace OciRuntime.Tests.Spec;

using Spec = OciRuntime.Spec.Spec;

/// <summary>
/// Mutated configs (values of every JSON kind in every place, keys in other cases, removed and
/// unknown members, broken syntax): where the JsonSerializer reads a document, the hand reader reads
/// the same objects (or refuses a null item, which the serializer let through); where the serializer
/// fails, the hand reader fails with a ConfigException.
/// </summary>
public class HandReaderFuzzTests
{
    [Fact]
    public void MutatedConfigsReadLikeTheSerializer()
    {
        var corpus = new[] { "full-config.json", "maximal-config.json", "default-spec.json", "default-spec-rootless.json" }
            .Select(TestData.Bytes).ToArray();
        // A fixed seed in the suite; `./build.sh fuzz` sets OCI_FUZZ_SEED and OCI_FUZZ_ITERATIONS.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("OCI_FUZZ_SEED"), out int s) ? s : 20261123;
        int iterations = Math.Max(2000, int.TryParse(Environment.GetEnvironmentVariable("OCI_FUZZ_ITERATIONS"), out int n) ? n * 100 : 0);
        var rnd = new Random(seed);
        int accepted = 0, refused = 0;
        for (int iter = 0; iter < iterations; iter++)
        {
            var root = JsonNode.Parse(corpus[rnd.Next(corpus.Length)])!;
            var containers = JsonMutator.Containers(root);
            for (int m = 1 + rnd.Next(2); m > 0; m--)
                JsonMutator.Mutate(containers[rnd.Next(containers.Count)], rnd);
            byte[] bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
            if (rnd.Next(8) == 0)
                bytes = JsonMutator.Damage(bytes, rnd);

            Spec? reference = null;
            try
            {
                reference = JsonSerializer.Deserialize(bytes, SpecJsonContext.Default.Spec);
            }
            catch (JsonException)
            {
            }

            string input = Encoding.UTF8.GetString(bytes);
            if (reference is null)
            {
                Assert.Throws<ConfigException>(() => ConfigLoader.Parse(bytes));
                refused++;
                continue;
            }
            try
            {
                var hand = ConfigLoader.Parse(bytes);
                Assert.True(
                    JsonSerializer.Serialize(reference, SpecJsonContext.Default.Spec) == JsonSerializer.Serialize(hand, SpecJsonContext.Default.Spec),
                    $"seed {seed}, iteration {iter}: different objects for " + input);
                accepted++;
            }
            catch (ConfigException e)
            {
                Assert.True(e.Message.EndsWith(", got null", StringComparison.Ordinal), $"{e.Message} for {input}");
                refused++;
            }
        }
        Assert.True(accepted > 300 && refused > 300, $"accepted {accepted}, refused {refused}");
    }
}
