/// Validation rules for organisation nodes: codes, names, parents and moves.
public enum OrgRules {
    /// Codes are what imports and exports key on: 1–32 characters of A–Z, a–z, 0–9, `-`, `_`, `.`.
    public static func validateCode(_ code: String) -> String? {
        if code.isEmpty { return Msg.codeRequired }
        if code.count > 32 { return Msg.codeTooLong }
        let ok = code.unicodeScalars.allSatisfy { s in
            (s.value >= 48 && s.value <= 57) || (s.value >= 65 && s.value <= 90) || (s.value >= 97 && s.value <= 122)
                || s == "-" || s == "_" || s == "."
        }
        return ok ? nil : Msg.codeChars
    }

    public static func validateName(_ name: String) -> String? {
        let t = name.trimmed()
        if t.isEmpty { return Msg.nameRequired }
        if t.count > 100 { return Msg.nameTooLong }
        return nil
    }

    /// Why `kind` may not hang under `parent`, or nil when it may.
    public static func parentProblem(kind: OrgKind, parent: OrgKind?) -> String? {
        if kind.mayHangUnder(parent) { return nil }
        guard let parent else { return Msg.parentRequired(kind) }
        return Msg.parentKindNotAllowed(kind: kind, parent: parent)
    }

    /// Why a node at `node` may not move under `newParent`, or nil.
    /// A node may not move under itself or its own descendants (that would make a cycle).
    public static func moveProblem(node: OrgPath, newParent: OrgPath) -> String? {
        if node.contains(newParent) { return Msg.moveIntoOwnSubtree }
        return nil
    }

    /// Sector departments (条管) must be departments.
    public static func sectorProblem(sectorKind: OrgKind?) -> String? {
        guard let sectorKind else { return nil }
        return sectorKind == .department ? nil : Msg.sectorMustBeDepartment
    }
}
