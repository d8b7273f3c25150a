@_spi(AmberInternals) import AmberObjects

// The data size of every host foreign class an image holds instances of,
// recorded at a snapshot and compared at restore (ARCHITECTURE.md, "The image").
//
// A foreign class is bound by name ("main.Counter.<allocate>"), like any
// native, so a restoring host that declares the class with another
// `dataBytes` would bind: its old instances keep the old size, new ones get
// the new, and the host's code reads past the end of the old ones. The sizes
// travel in the metadata section "foreignClasses" as "NAME=BYTES" lines; the
// built-in modules' classes are part of the build and need no record.

extension VM {
    /// "main.Counter.<allocate>=8" lines for the host foreign classes this heap has bound.
    func foreignClassSizesSection() -> [UInt8] {
        let bound = Set(boundNativeNames)
        let lines = config.bindings.classes.filter { bound.contains($0.nativeName) }
            .map { "\($0.nativeName)=\($0.dataBytes)\n" }
        return Array(lines.joined().utf8)
    }

    /// Throws when a recorded class is declared here with another data size.
    func checkForeignClassSizes(_ section: [UInt8]?, path: String) throws(ImageError) {
        guard let section else { return }
        var declared: [String: Int] = [:]
        for c in config.bindings.classes { declared[c.nativeName] = c.dataBytes }
        for line in section.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard let eq = text.lastIndex(of: "="), let recorded = Int(text[text.index(after: eq)...]) else {
                throw ImageError("Image '\(path)' is corrupt (bad foreignClasses metadata).")
            }
            let name = String(text[..<eq])
            guard let now = declared[name], now != recorded else { continue }
            let shown = name.hasSuffix(".<allocate>") ? String(name.dropLast(".<allocate>".count)) : name
            throw ImageError("Image '\(path)' holds instances of foreign class \(shown) with \(recorded) data bytes; "
                             + "this process declares it with \(now) (Bindings.foreignClass dataBytes). "
                             + "Declare the size the image was written with.")
        }
    }
}
