import CaspioTestSupport
import Foundation
import Testing

/// Attachments (handles, listings, renames, guarded deletes, through views too) and password
/// fields, through the built binary against the sandbox's Staff table.
@Suite struct AttachmentsAndPasswordsTests {
    @Test func attachmentsOfATableAndAView() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            local staff = caspio.table("Staff")
            local a = staff:attachment("Photo", 1)
            print(a:download("ada.txt"), io.open("ada.txt"):read("a"))
            print(a:info().FileName, staff:attachment("Photo", 2):info())
            local f = assert(io.open("ben.png", "wb")); f:write("\\137PNG\\r\\n"); f:close()
            print(staff:attachment("Photo", 2):upload("ben.png"))
            local names = {}
            for info in staff:attachments("Photo") do names[#names + 1] = info.PK_ID .. "=" .. info.FileName end
            print(table.concat(names, ","))
            for info in staff:attachments("Photo", {where = {PK_ID = 2}}) do print(info.FileName, info.Size) end
            print(staff:set_attachment_info("Photo", {PK_ID = 2}, {FileName = "ben-2024.png"}))
            print(staff:attachment("Photo", 2):info().FileName)
            expect_error(staff.delete_attachments, staff, "Photo", nil)
            expect_error(staff.set_attachment_info, staff, "Photo", nil, {FileName = "x.png"})
            expect_error(staff.delete_attachments, staff, "Photo", {where = {PK_ID = 2}})
            expect_error(staff.attachments, staff, "Photo", {PK_ID = 2})
            expect_error(staff.attachment, staff, "Photo")
            expect_error(staff:attachment("Photo", 99).download, staff:attachment("Photo", 99), "none.txt")
            print(io.open("none.txt") == nil)
            print(staff:delete_attachments("Photo", {PK_ID = 2}))
            local v = caspio.view("StaffPhotos")
            for info in v:attachments("Staff_Photo") do print(type(info.PK_ID), info.FileName) end
            local pk
            for info in v:attachments("Staff_Photo") do pk = info.PK_ID end
            print(v:attachment("Staff_Photo", pk):download("via-view.txt"), io.open("via-view.txt"):read("a"))
            print(staff:delete_attachments("Photo", nil, {all = true}))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            ada.txt\ta photo of Ada
            ada.txt\tnil
            true
            1=ada.txt,2=ben.png
            ben.png\t6
            1
            ben-2024.png
            error\trefusing to delete the Photo attachments of every row of Staff: give a where clause, or nil and then {all = true}: t:delete_attachments("Photo", nil, {all = true})
            error\trefusing to change the Photo attachments of every row of Staff: give a where clause, or nil and then {all = true}: t:set_attachment_info("Photo", nil, changes, {all = true})
            error\t'delete_attachments' takes the where clause itself, not options: t:delete_attachments("Photo", {PK_ID = 2}), not t:delete_attachments("Photo", {where = …})
            error\tunknown option 'PK_ID' to 'attachments' (did you mean {where = {PK_ID = 2}}?)
            error\tbad argument #2 to 'attachment' (the record's PK_ID expected, got nil)
            error\t404\tObjectNotFound
            true
            1
            string\tada.txt
            via-view.txt\ta photo of Ada
            1

            """)
    }

    /// The value set is a secret: not in -v logs, not in error messages.
    @Test func passwordsAreSetAndClearedAndNeverShown() async throws {
        let secret = "Tr0ub4dor-and-3"
        let result = try await runLuaInSandbox(luaExpectError + """
            local staff = caspio.table("Staff")
            print(table.concat(staff:password_fields(), ","))
            print(staff:set_password("Password", {Email = "ada@example.com"}, "\(secret)"))
            print(staff:clear_password("Password", {Email = {"ben@example.com", "cy@example.com"}}))
            expect_error(staff.clear_password, staff, "Password", nil)
            expect_error(staff.set_password, staff, "Password", nil, "\(secret)")
            expect_error(staff.set_password, staff, "Password", {Email = "ada@example.com"}, 1234)
            expect_error(staff.set_password, staff, "Name", {Email = "ada@example.com"}, "\(secret)")
            expect_error(caspio.view("StaffPhotos").password_fields, caspio.view("StaffPhotos"))
            print(staff:first().Password)
            error("giving up with \(secret) in the message")
            """, flags: ["-v"])
        #expect(result.status != 0)
        #expect(result.stdout == """
            Password
            1
            2
            error\trefusing to clear the Password of every row of Staff: give a where clause, or nil and then {all = true}: t:clear_password("Password", nil, {all = true})
            error\trefusing to set the Password of every row of Staff: give a where clause, or nil and then {all = true}: t:set_password("Password", nil, value, {all = true})
            error\tbad argument #3 to 'set_password' (the password, a non-empty string, expected; got number)
            error\t400\tIncorrectBodyParameter
            error\tpassword_fields: password fields belong to tables; use caspio.table(...):password_fields
            nil

            """)
        #expect(result.stderr.contains("PUT"), "the -v log shows the requests:\n\(result.stderr)")
        #expect(result.stderr.contains("giving up with <redacted> in the message"), "\(result.stderr)")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
    }

    /// A dry run tells each write it does not send, body and all: a password in one is blanked,
    /// set as a password or as a PASSWORD field of a row (an import's CSV may hold them).
    @Test func aDryRunNeverShowsAPassword() async throws {
        let (secret, inRow) = ("Tr0ub4dor-and-3", "correct-horse-battery")
        let result = try await runLuaInSandbox("""
            print(caspio.table("Staff"):set_password("Password", {PK_ID = 1}, "\(secret)"))
            caspio.table("Staff"):insert({Name = "Zed", Email = "zed@example.com", Password = "\(inRow)"})
            """, flags: ["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(#"dry run: PUT tables/Staff/passwordFields/Password?q.where=PK_ID=1 {"Value":"<redacted>"}"#), "\(result.stderr)")
        #expect(result.stderr.contains(#""Password":"<redacted>""#), "\(result.stderr)")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
        #expect(!result.stderr.contains(inRow) && !result.stdout.contains(inRow))
    }

    /// v4's write of one row by its PK_ID (`PATCH …/records/{pk}`) hides a password as the
    /// other writes do.
    @Test func aDryRunPatchByPKOnV4NeverShowsAPassword() async throws {
        let secret = "Tr0ub4dor-by-pk"
        let result = try await runLuaInSandbox("""
            caspio.table("Staff"):patch(1, {Password = "\(secret)"})
            """, flags: ["--dry-run"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(#""Password":"<redacted>""#), "\(result.stderr)")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
    }
}
