import Foundation
import Testing
import WenmingCore

/// The Chinese explanation of a JSON body that does not decode (the API's 400 message).
@Suite("Malformed request messages")
struct MalformedRequestMessageTests {
    struct Item: Decodable { var code: String; var score: Int }
    struct Body: Decodable { var name: String; var active: Bool; var items: [Item] }

    func message(_ json: String) -> String? {
        do { _ = try JSONDecoder().decode(Body.self, from: Data(json.utf8)); return nil } catch let e as DecodingError {
            return Msg.malformedRequest(e)
        } catch { return "\(error)" }
    }

    @Test func eachKindOfMistakeNamesItsField() {
        #expect(message(#"{"name":"a","active":true,"items":[]}"#) == nil)
        #expect(message(#"{"active":true,"items":[]}"#) == "请求格式不正确：缺少字段“name”")
        #expect(message(#"{"name":"a","active":"yes","items":[]}"#) == "请求格式不正确：字段“active”的类型不对，应为 true 或 false")
        #expect(message(#"{"name":"a","active":true,"items":[{"code":"x","score":1},{"code":"y","score":"2"}]}"#)
                == "请求格式不正确：字段“items[1].score”的类型不对，应为数字")
        #expect(message(#"{"name":"a","active":true,"items":[{"score":1}]}"#) == "请求格式不正确：缺少字段“items[0].code”")
        #expect(message(#"{"name":null,"active":true,"items":[]}"#) == "请求格式不正确：字段“name”不能为 null")
        #expect(message(#"{"#) == "请求格式不正确：不是有效的 JSON")
        #expect(message(#"[]"#) == "请求格式不正确：应为 JSON 对象")
    }

    /// The OpenAPI runtime decodes each path and query parameter on its own, so a wrong one arrives as a mismatch of a
    /// text, number or true/false with no field path: it is a parameter, not a body that should be an object.
    @Test func aWrongParameterIsNotCalledABody() {
        func mismatch(_ t: Any.Type) -> String { Msg.malformedRequest(.typeMismatch(t, .init(codingPath: [], debugDescription: ""))) }
        #expect(mismatch(Int64.self) == "请求格式不正确：路径或查询参数的值不对，应为数字")
        #expect(mismatch(Int.self) == "请求格式不正确：路径或查询参数的值不对，应为数字")
        #expect(mismatch(Bool.self) == "请求格式不正确：路径或查询参数的值不对，应为 true 或 false")
        #expect(mismatch([String: Any].self) == "请求格式不正确：应为 JSON 对象")
    }
}
