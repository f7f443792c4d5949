using System.Buffers;

namespace Pipeline.Vader;

/// <summary>
/// Growable character buffer rented from <see cref="ArrayPool{T}.Shared"/>. It is a mutable
/// struct, so pass it by reference. <see cref="Dispose"/> returns the array, and later calls do nothing.
/// </summary>
internal struct PooledCharBuffer : IDisposable
{
    private char[]? _array;
    private int _length;

    public readonly ReadOnlySpan<char> Written => _array.AsSpan(0, _length);

    public void Append(char value)
    {
        EnsureCapacity(1);
        _array![_length++] = value;
    }

    public void Append(ReadOnlySpan<char> value)
    {
        EnsureCapacity(value.Length);
        value.CopyTo(_array.AsSpan(_length));
        _length += value.Length;
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<char>.Shared.Return(_array);
            _array = null;
            _length = 0;
        }
    }

    private void EnsureCapacity(int additional)
    {
        var required = _length + additional;
        if (_array is not null && required <= _array.Length)
        {
            return;
        }

        var larger = ArrayPool<char>.Shared.Rent(Math.Max(required, Math.Max(256, (_array?.Length ?? 0) * 2)));
        if (_array is not null)
        {
            _array.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(_array);
        }

        _array = larger;
    }
}
