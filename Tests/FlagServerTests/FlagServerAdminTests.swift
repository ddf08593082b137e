import FeatureFlags
import Testing
@testable import FlagServer

/// The admin surface and the request routing, without sockets.
@Suite struct FlagServerAdminTests {
    @Test func routesTheFlagEndpointAdminAndEverythingElse() {
        #expect(FlagRequestRouting.route("/api/2.0/connector-service/feature-flags/GOLANG/1.0.0") == .flag)
        #expect(FlagRequestRouting.route("/api/2.0/connector-service/feature-flags/go/1.0/?a=b") == .flag)
        #expect(FlagRequestRouting.route("/api/2.0/connector-service/feature-flags/go") == .unknown)
        #expect(FlagRequestRouting.route("/api/2.0/connector-service/feature-flags/go//1") == .unknown)
        #expect(FlagRequestRouting.route("/api/2.0/connector-service/feature-flags/a/b/c") == .unknown)
        #expect(FlagRequestRouting.route("/_flagstorm/stats") == .admin)
        #expect(FlagRequestRouting.route("/") == .unknown)
    }

    @Test func hostHeaderLosesItsPortAndIsNormalised() {
        #expect(FlagRequestRouting.hostName(fromHeader: "Example.COM:8080") == "example.com")
        #expect(FlagRequestRouting.hostName(fromHeader: "example.com") == "example.com")
        #expect(FlagRequestRouting.hostName(fromHeader: "[::1]:8080") == "[::1]")
        // The fast path for already-normalised names agrees with HostKey on near misses.
        for header in ["a.example.", "a_b.example", "A.example", "https://a.example/", "a.example"] {
            #expect(FlagRequestRouting.hostName(fromHeader: header) == HostKey(header).normalized, "\(header)")
        }
    }

    @Test func journalFiltersByHostAndKeepsTheNewestUpToTheLimit() {
        let model = makeModel()
        for index in 0..<6 { _ = model.handle(host: index.isMultiple(of: 2) ? "a.example" : "b.example", at: at(.seconds(index))) }
        let admin = FlagServerAdmin(model: model)
        let reply = admin.reply(method: "GET", uri: "/_flagstorm/journal?host=A.example&limit=2", body: [])
        #expect(reply.status == 200)
        #expect(reply.body.split(separator: "\n") == [
            #"{"id":2,"host":"a.example","at_us":2000000,"outcome":"ok","status":200,"value":true,"latency_us":0}"#,
            #"{"id":4,"host":"a.example","at_us":4000000,"outcome":"ok","status":200,"value":true,"latency_us":0}"#,
        ])
        let bad = admin.reply(method: "GET", uri: "/_flagstorm/journal?limit=-1", body: [])
        #expect(bad.status == 400)
        #expect(bad.body.contains(#""token":"-1""#))
    }

    @Test func faultPlanIsReplacedOnlyWhenEverySpellingParsesAndValidates() {
        let model = makeModel()
        let admin = FlagServerAdmin(model: model)
        let put = { (body: String) in admin.reply(method: "PUT", uri: "/_flagstorm/faults", body: Array(body.utf8)) }
        #expect(put("503@0.2\nreset:host=a.example@0.1").status == 200)
        #expect(model.faults().count == 2)
        let overfull = put("503@0.7 500@0.6")
        #expect(overfull.status == 400)
        #expect(overfull.body.contains("sum to 1.3"))
        let unknown = put("slow-body:2s@0.1 teapot@0.1")
        #expect(unknown.status == 400)
        #expect(unknown.body.contains(#""token":"teapot""#))
        #expect(model.faults().count == 2, "rejected plans change nothing")
        let listed = admin.reply(method: "GET", uri: "/_flagstorm/faults", body: [])
        #expect(listed.body == "503@0.2\nreset:host=a.example@0.1\n")
        #expect(admin.reply(method: "DELETE", uri: "/_flagstorm/stats", body: []).status == 405)
        #expect(admin.reply(method: "GET", uri: "/_flagstorm/nothing", body: []).status == 404)
    }
}
