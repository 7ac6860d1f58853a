/// A credential or token. Its text is reachable only through `reveal()`, so that string
/// interpolation, `print`, logging and error descriptions show a placeholder instead.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret itself: only for the wire (a header, a form body) and the token cache.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
