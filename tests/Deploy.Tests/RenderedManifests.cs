using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>One rendered object: its YAML text, its kind and name, and the typed model when the kind is built in.</summary>
internal sealed record RenderedObject(string Yaml, string ApiVersion, string Kind, string Name, object? Model);

/// <summary>The objects of a rendered kustomization, each parsed both as plain YAML and as a Kubernetes API model.</summary>
internal sealed class RenderedManifests
{
    private RenderedManifests(IReadOnlyList<RenderedObject> objects, IReadOnlyList<string> schemaErrors)
    {
        Objects = objects;
        SchemaErrors = schemaErrors;
    }

    public IReadOnlyList<RenderedObject> Objects { get; }

    /// <summary>One line per object that the API model rejected: an unknown field, a wrong type or an unknown kind.</summary>
    public IReadOnlyList<string> SchemaErrors { get; }

    public IEnumerable<T> OfType<T>() => Objects.Select(o => o.Model).OfType<T>();

    public IEnumerable<V1PodTemplateSpec> PodTemplates =>
        OfType<V1Deployment>().Select(d => d.Spec.Template).Concat(OfType<V1StatefulSet>().Select(s => s.Spec.Template));

    public bool Has(string kind, string name) => Objects.Any(o => o.Kind == kind && o.Name == name);

    /// <summary>
    /// Splits <paramref name="yaml"/> into documents and loads each with the API models of
    /// KubernetesClient in strict mode, in which a field the schema lacks is an error. Kinds in
    /// <paramref name="customKinds"/> (CRDs such as KEDA's) are kept as plain YAML only.
    /// </summary>
    public static RenderedManifests Parse(string yaml, params string[] customKinds)
    {
        var objects = new List<RenderedObject>();
        var errors = new List<string>();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var document in stream.Documents)
        {
            var root = (YamlMappingNode)document.RootNode;
            var apiVersion = Scalar(root, "apiVersion");
            var kind = Scalar(root, "kind");
            var name = root.Children.TryGetValue("metadata", out var metadata) ? Scalar((YamlMappingNode)metadata, "name") : "";
            var text = Serialize(document);
            object? model = null;
            if (!customKinds.Contains(kind))
            {
                try
                {
                    model = KubernetesYaml.LoadAllFromString(text, typeMap: null, strict: true).Single();
                }
                catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KeyNotFoundException or InvalidOperationException)
                {
                    errors.Add($"{kind}/{name}: {ex.Message} {ex.InnerException?.Message}");
                }
            }

            objects.Add(new RenderedObject(text, apiVersion, kind, name, model));
        }

        return new RenderedManifests(objects, errors);
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value ?? "" : "";

    private static string Serialize(YamlDocument document)
    {
        var writer = new StringWriter();
        new YamlStream(document).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
