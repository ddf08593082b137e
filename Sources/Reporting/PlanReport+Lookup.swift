import StormReport

/// Look-ups the plan renderers share: which swept parameters a point has, and a swept value's number.
///
/// Why here and not in `StormReport`: they only serve rendering (table columns,
/// a chart's x axis, the breaking points' ratio), and the report's types stay plain data.
extension PlanReport {
    /// The swept parameters shown as columns, outermost first: the sweep's keys but `policy`
    /// (it has a column of its own), then any key a point carries that the sweep does not list.
    var parameterKeys: [String] {
        var keys = sweep.map(\.key).filter { $0 != "policy" }
        for point in points {
            for parameter in point.parameters where parameter.key != "policy" && !keys.contains(parameter.key) {
                keys.append(parameter.key)
            }
        }
        return keys
    }

    /// The policies in order of first appearance among the points, then among the breaking points.
    var policies: [String] {
        var names: [String] = []
        for policy in points.map(\.policy) + breakingPoints.map(\.policy) where !names.contains(policy) {
            names.append(policy)
        }
        return names
    }

    /// The number a swept value stands for (`15m` is 900), as the points record it; `nil` when no point has it or it is not numeric.
    func numericValue(of key: String, _ value: String) -> Double? {
        for point in points {
            if let parameter = point.parameter(key), parameter.value == value, let number = parameter.numeric, number.isFinite {
                return number
            }
        }
        return nil
    }

    /// The parameter a chart puts on its x axis: the first swept one (not `policy`) whose points all have a number for it.
    var chartKey: String? {
        parameterKeys.first { key in
            let values = points.map { $0.parameter(key)?.numeric }
            return !values.isEmpty && values.allSatisfy { $0?.isFinite == true }
        }
    }

    /// The last value of the swept parameter `key`, as the sweep lists it.
    func lastSweptValue(of key: String) -> String? {
        sweep.first { $0.key == key }?.values.last
    }
}

extension PlanPoint {
    /// This point's value of the swept parameter `key`, or `nil` when it was not swept.
    func parameter(_ key: String) -> PlanParameter? {
        parameters.first { $0.key == key }
    }

    /// The point's swept values but `exclude` and `policy`, as `ttl 15m, hosts 200` (empty when none).
    func otherParameters(excluding exclude: String?) -> String {
        parameters.filter { $0.key != exclude && $0.key != "policy" }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
