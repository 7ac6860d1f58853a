import CaspioTestSupport
import Foundation
import Testing

/// caspio.files and caspio.attachments: multipart uploads, streamed downloads, listing.
@Suite struct FilesTests {
    @Test func uploadListDownloadAndDelete() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.sandbox.seed(json: #"{"Folders":[{"Name":"F1","ExternalKey":"F1"}]}"#)
        let result = try await runLua("""
            local data = "binary\\0data\\255\\r\\n--not-a-boundary\\r\\n" .. string.rep("x", 100000)
            local f = assert(io.open("report.pdf", "wb")); f:write(data); f:close()
            local up = caspio.files.upload("report.pdf", {folder = "F1"})
            print(up.Name, #up.ExternalKey)
            local names = {}
            for file in caspio.files.list({folder = "F1"}) do names[#names + 1] = file.Name .. ":" .. file.Size end
            print(table.concat(names, ","))
            caspio.files.download(up.ExternalKey, "by-key.pdf")
            caspio.files.download("/F1/report.pdf", "by-path.pdf")
            for _, name in ipairs({"by-key.pdf", "by-path.pdf"}) do
              local g = assert(io.open(name, "rb")); print(name, g:read("a") == data); g:close()
            end
            local ok, err = pcall(caspio.files.upload, "report.pdf", {folder = "F1"})
            print(ok, err.status, err.code)
            print(caspio.files.upload("report.pdf", {folder = "F1", overwrite = true}).Name)
            print(caspio.files.delete(up.ExternalKey))
            local ok2, err2 = pcall(caspio.files.download, up.ExternalKey, "gone.pdf")
            print(ok2, err2.status, io.open("gone.pdf") == nil)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            report.pdf\t36
            report.pdf:100032
            by-key.pdf\ttrue
            by-path.pdf\ttrue
            false\t409\tConflict
            report.pdf
            true
            false\t404\ttrue

            """)
        let upload = try #require(fake.requests.first { $0.method == "POST" && $0.path.hasSuffix("/files") })
        #expect(upload.header("Content-Type")?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(upload.query["externalKey"] == "F1")
        #expect(upload.bodyText.contains("Content-Disposition: form-data; name=\"Files\"; filename=\"report.pdf\""))
        #expect(upload.bodyText.contains("Content-Type: application/pdf"))
    }

    @Test func attachmentsGoToTheRecord() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.createTable("Customers", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("N", "INTEGER"), ("Photo", "FILE")])
        try fake.seed("Customers", count: 7)
        let result = try await runLua("""
            local f = assert(io.open("photo.png", "wb")); f:write("\\137PNG\\r\\n"); f:close()
            caspio.attachments.upload("Customers", "Photo", 7, "photo.png")
            caspio.attachments.download("Customers", "Photo", 7, "copy.png")
            local g = assert(io.open("copy.png", "rb")); print(g:read("a") == "\\137PNG\\r\\n"); g:close()
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "true\n")
        let put = try #require(fake.requests.first { $0.method == "PUT" })
        #expect(put.path == "/integrations/rest/v3/tables/Customers/attachments/Photo/7")
        #expect(put.bodyText.contains("name=\"File\"; filename=\"photo.png\""))
    }

    @Test func aMissingLocalFileIsAClearError() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("caspio.files.upload('nope.csv')", against: fake)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read nope.csv"))
        #expect(fake.requests.isEmpty)
    }
}
