/// "Did you mean …?": the known names closest to a misspelled one, for unknown options,
/// tables and fields. Case and `_` differences count little (`orderby` → `orderBy`,
/// `customers` → `Customers`), other edits by optimal string alignment distance.
public enum NearestNames {
    /// Up to `limit` of `candidates` within reach of `word`, nearest first (ties: as given).
    static func nearest(to word: String, in candidates: [String], limit: Int = 3) -> [String] {
        let folded = fold(word)
        let scored = candidates.enumerated().compactMap { index, candidate -> (Int, Int, String)? in
            guard candidate != word else { return nil }
            let distance = fold(candidate) == folded ? 0 : editDistance(folded, fold(candidate))
            // Far-fetched suggestions teach nothing: allow about one edit in three letters.
            guard distance <= max(1, min(folded.count, candidate.count) / 3) else { return nil }
            return (distance, index, candidate)
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.2)
    }

    /// `(did you mean 'a'?)`, `(did you mean 'a' or 'b'?)`, or nothing.
    public static func hint(for word: String, in candidates: [String]) -> String {
        let names = nearest(to: word, in: candidates).map { "'\($0)'" }
        guard let last = names.last else { return "" }
        let listed = names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
        return " (did you mean \(listed)?)"
    }

    private static func fold(_ text: String) -> [Character] {
        Array(text.lowercased().filter { $0 != "_" })
    }

    /// Levenshtein distance with transpositions of neighbours counted as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
