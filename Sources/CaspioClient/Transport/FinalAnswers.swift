/// Which of Caspio's answers are final: the request itself is wrong, so sending it again gets
/// the same answer, and Caspio bills every answer, 4xx and 5xx included.
enum FinalAnswers {
    /// Error codes that say the request is wrong, whatever the status they come with (a
    /// `q.select` naming a missing field answers 500, a value of the wrong type
    /// `500 InvalidInputValue`). `IncorrectQueryParameter` is also what a stale token gets:
    /// the client renews and replays once for that (StaleTokenCheck), never the transport.
    static let codes: Set<String> = [
        "FieldNotFound", "InvalidInputValue", "SqlServerError", "IncorrectBodyParameter", "IncorrectQueryParameter",
    ]

    /// Whether sending the request again would only get (and bill) the same answer: any 4xx
    /// but 408 (the server timed out waiting) and 429 (the account refused work), and any
    /// answer carrying one of `codes`.
    static func isFinal(_ response: CaspioResponse) -> Bool {
        if (400..<500).contains(response.status) { return response.status != 408 && response.status != 429 }
        guard response.status >= 500 else { return false }
        return response.error.code.map(codes.contains) ?? false
    }
}
