using System.Reflection;
using Pipeline.Core.Tweets;
using Xunit;

namespace Pipeline.Faults.Tests;

/// <summary>
/// The tweet model's types, checked by reflection. Tweet ids exceed the 53 bits a double holds
/// exactly and fit a signed 64-bit integer, and Npgsql rejects a <see cref="DateTime"/> of kind
/// Unspecified or Local for timestamptz, so the model carries neither.
/// </summary>
public sealed class TweetModelTypeTests
{
    private static readonly Type[] ModelTypes =
        [.. typeof(Tweet).Assembly.GetTypes().Where(t => t.Namespace == typeof(Tweet).Namespace && t.IsPublic)];

    private static readonly Type[] FloatingTypes = [typeof(double), typeof(float), typeof(decimal), typeof(Half)];

    public static TheoryData<string> IdMembers()
    {
        var members = new TheoryData<string>();
        foreach (var (type, name, _) in Members().Where(m => IsIdName(m.Name)))
        {
            members.Add($"{type.Name}.{name}");
        }

        return members;
    }

    [Fact]
    public void ModelTypes_Namespace_IsNotEmpty()
    {
        Assert.Contains(typeof(TweetEnvelope), ModelTypes);
    }

    [Theory]
    [MemberData(nameof(IdMembers))]
    public void IdMember_Type_IsLongOrString(string member)
    {
        var type = Members().Single(m => $"{m.DeclaringType.Name}.{m.Name}" == member).Type;

        Assert.True(IsSignedIdType(type), $"{member} is {type}; ids must be long or string.");
    }

    [Fact]
    public void Members_UnsignedLong_UsedNowhere()
    {
        var unsigned = Members().Where(m => UnderlyingType(m.Type) == typeof(ulong)).Select(m => $"{m.DeclaringType.Name}.{m.Name}");

        Assert.Empty(unsigned);
    }

    [Fact]
    public void Members_FloatingTypes_NotUsedForIds()
    {
        var floatingIds = Members()
            .Where(m => IsIdName(m.Name) && FloatingTypes.Contains(UnderlyingType(m.Type)))
            .Select(m => $"{m.DeclaringType.Name}.{m.Name}");

        Assert.Empty(floatingIds);
    }

    [Fact]
    public void Members_Timestamps_AreDateTimeOffset()
    {
        var dateTimes = Members().Where(m => UnderlyingType(m.Type) == typeof(DateTime)).Select(m => $"{m.DeclaringType.Name}.{m.Name}");

        Assert.Empty(dateTimes);
    }

    [Fact]
    public void ApiJson_TimestampReaders_ReturnDateTimeOffset()
    {
        var returnsDateTime = typeof(ApiJson).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => UnderlyingType(m.ReturnType) == typeof(DateTime))
            .Select(m => m.Name);

        Assert.Empty(returnsDateTime);
    }

    private static IEnumerable<(Type DeclaringType, string Name, Type Type)> Members()
    {
        foreach (var type in ModelTypes)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                yield return (type, property.Name, ElementType(property.PropertyType));
            }

            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                foreach (var parameter in method.GetParameters())
                {
                    yield return (type, $"{method.Name}({parameter.Name})", ElementType(parameter.ParameterType));
                }
            }
        }
    }

    private static bool IsIdName(string name) =>
        name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Ids", StringComparison.Ordinal)
        || name.EndsWith("id)", StringComparison.Ordinal) || name.EndsWith("Id)", StringComparison.Ordinal);

    private static bool IsSignedIdType(Type type) => UnderlyingType(type) == typeof(long) || type == typeof(string);

    private static Type UnderlyingType(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    /// <summary>Returns the element type of an array or a generic list, so that id lists are checked too.</summary>
    private static Type ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType()!;
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            return element;
        }

        return type;
    }
}
