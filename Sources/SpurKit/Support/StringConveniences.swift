extension String {
    /// nil for the empty string, so `a.nilIfEmpty ?? b` reads as "a, or else b".
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
