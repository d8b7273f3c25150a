// Near misses between a script's `foreign` declaration and a Swift host's
// bindings (`Bindings`), so "Could not find foreign method" says which
// mistake was made: a signature with spaces in it, a parameter list too many
// or too few, the other static-ness, another module.
//
// Only consulted when a binding is missing, and only the host's own bindings
// are compared: a VM without bindings (the launcher, Wren's test suite) keeps
// Wren's message to the byte.

extension VM {
    /// A hint for a missing foreign method, from the host's bindings; nil when
    /// no binding is a near miss.
    func foreignMethodHint(module: String, className: String, isStatic: Bool, signature: String) -> String? {
        let candidates = config.bindings.methods.filter { $0.className == className }
        guard !candidates.isEmpty else { return nil }
        let staticWord = { (s: Bool) in s ? "static" : "not static" }
        func squeezed(_ s: String) -> String { s.filter { $0 != " " } }
        /// "name" and "name()" are different methods in Wren; a host easily writes one for the other.
        func bare(_ s: String) -> String { s.hasSuffix("()") ? String(s.dropLast(2)) : s }
        for b in candidates where b.module == module && b.isStatic == isStatic {
            if squeezed(b.signature) == signature {
                return "The host bound '\(b.signature)'; signatures have no spaces: '\(signature)'."
            }
            if bare(b.signature) == bare(signature) {
                return "The host bound '\(b.signature)'; did you mean '\(signature)'?"
            }
        }
        for b in candidates where b.module == module && squeezed(b.signature) == signature {
            return "The host bound it \(staticWord(b.isStatic)), the class declares it \(staticWord(isStatic))."
        }
        for b in candidates where b.module != module && b.isStatic == isStatic && squeezed(b.signature) == signature {
            return "The host bound it in module '\(b.module)'."
        }
        if let b = config.bindings.methods.first(where: { !SignatureShape.isValid($0.signature) && $0.className == className }) {
            return "The host's signature '\(b.signature)' is not one Wren makes (\"name\", \"name(_,_)\", \"name=(_)\", \"[_]\", \"+(_)\")."
        }
        return nil
    }
}
