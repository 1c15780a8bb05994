import Questionnaire
import Store

/// The runner's own words, in Indonesian and English; they follow --lang and :lang.
public enum Words: Sendable {
    case indonesian, english

    public init(language: String?) {
        self = LocalizedText.isIndonesian(language) ? .indonesian : .english
    }

    func pick(_ id: String, _ en: String) -> String { self == .indonesian ? id : en }

    /// What the command says on standard error when the session stops without :save or :finish.
    public func inputEnded(resume: String) -> String { "\(inputEnded)\n\(resumeWith) \(resume)" }

    /// What Ctrl-C prints: every answer given is already stored (each step is committed before the next prompt).
    public func interrupted(resume: String) -> String {
        pick(
            "Dihentikan (Ctrl-C). Semua jawaban sudah tersimpan sebagai draf.\n\(resumeWith) \(resume)",
            "Stopped (Ctrl-C). Every answer is saved as a draft.\n\(resumeWith) \(resume)")
    }

    /// The first line on standard error: which interview this is.
    public func opened(_ kind: String, uuid: String) -> String {
        switch kind {
        case "started": pick("wawancara baru \(uuid)", "started interview \(uuid)")
        case "resumed": pick("melanjutkan wawancara \(uuid)", "resumed interview \(uuid)")
        default: pick("membuka kembali wawancara \(uuid)", "reopened interview \(uuid)")
        }
    }

    /// An error of the interview command in the session's language ("error: …" in English).
    public func error(_ message: String) -> String { pick("kesalahan: \(message)", "error: \(message)") }

    var required: String { pick("wajib diisi", "required") }
    var sentBack: String { pick("Dikembalikan oleh pengawas", "Sent back by the supervisor") }
    var current: String { pick("Nilai sekarang", "Current value") }
    var progress: String { pick("terjawab", "answered") }
    var round: String { pick("Putaran", "Round") }
    var enumerator: String { pick("Pencacah", "Enumerator") }
    var defaulted: String { pick("(isian awal)", "(default)") }
    var emptyRequired: String { pick("Pertanyaan ini wajib dijawab.", "This question is required.") }
    var constraintFailed: String { pick("Nilai ini tidak memenuhi syarat.", "This value does not meet the condition.") }
    var theCondition: String { pick("Syaratnya", "The condition") }
    var softCheckFailed: String { pick("Nilai ini tidak biasa.", "This value is unusual.") }
    var softCheckHelp: String {
        pick("Ketik nilai lain, atau :confirm ALASAN untuk menyimpannya.", "Type another value, or :confirm REASON to keep it.")
    }
    var confirmed: String { pick("dikonfirmasi", "confirmed") }
    var repeatQuestion: String { pick("Tambah satu lagi? (y/n)", "Add another? (y/n)") }
    var repeatSoFar: String { pick("sejauh ini", "so far") }
    var yesNoOnly: String { pick("Jawab y (ya) atau n (tidak).", "Answer y (yes) or n (no).") }
    var endTitle: String { pick("Akhir wawancara. Periksa jawaban, lalu ketik :finish.", "End of the interview. Review the answers, then type :finish.") }
    var finishBlocked: String { pick("Belum bisa selesai; perbaiki dulu:", "Cannot finish yet; first fix:") }
    var finished: String { pick("Wawancara selesai dan tersimpan.", "Interview completed and saved.") }
    var saved: String { pick("Tersimpan sebagai draf.", "Saved as a draft.") }
    var resumeWith: String { pick("Lanjutkan dengan:", "Resume with:") }
    /// A line of input that is not UTF-8 (a terminal or file in another encoding): not taken as an answer.
    public var notUTF8Line: String {
        pick(
            "! Baris itu bukan teks UTF-8 dan tidak disimpan; ketik lagi.", "! That line is not UTF-8 text and was not stored; type it again.")
    }
    func repeatCapped(_ name: String, asked: Int, limit: Int) -> String {
        pick(
            "\(name) meminta \(asked) isian, tetapi satu pengulangan paling banyak \(limit) isian: hanya \(limit) yang ditanyakan",
            "\(name) asks for \(asked) instances, but a repeat holds at most \(limit): only \(limit) are asked")
    }
    var inputEnded: String {
        pick(
            "Masukan berakhir di tengah wawancara; jawaban sudah tersimpan sebagai draf.",
            "Input ended in the middle of the interview; the answers are saved as a draft.")
    }
    var notAllowedNonResponse: String { pick("Pertanyaan ini tidak menerima jawaban khusus itu.", "This question does not allow that special answer.") }
    var nothingToConfirm: String { pick("Tidak ada peringatan untuk dikonfirmasi.", "There is no warning to confirm.") }
    var emptyReason: String { pick("Tulis alasannya: :confirm ALASAN", "Give the reason: :confirm REASON") }
    var noQuestion: String { pick("Tidak ada pertanyaan di sini.", "There is no question here.") }
    var readOnly: String { pick("Nilai ini hanya untuk dibaca; tekan Enter untuk lanjut.", "This value is read-only; press Enter to go on.") }
    var notAnInstance: String { pick("Perintah ini hanya berlaku di dalam pengulangan.", "This command only works inside a repeat.") }
    var atStart: String { pick("Sudah di pertanyaan pertama.", "Already at the first question.") }
    var atEnd: String { pick("Sudah di akhir.", "Already at the end.") }
    var unknownItem: String { pick("Tidak ada pertanyaan dengan nama itu.", "No question has that name.") }
    var notReached: String { pick("Pertanyaan itu belum dicapai.", "That question has not been reached yet.") }
    var notRelevant: String { pick("Pertanyaan itu tidak ditanyakan untuk jawaban saat ini.", "That question is not asked, given the answers so far.") }
    var unknownCommand: String { pick("Perintah tidak dikenal; ketik :help.", "Unknown command; type :help.") }
    var tooLong: String { pick("Jawaban terlalu panjang (paling banyak 10.000 karakter).", "The answer is too long (10,000 characters at most).") }
    var controlCharacters: String {
        pick(
            "Jawaban berisi karakter kontrol (misalnya tombol panah); gunakan :back dan :next untuk berpindah.",
            "The answer contains control characters (arrow keys, for example); use :back and :next to move.")
    }
    var deleteAsk: String {
        pick("Hapus isian pengulangan ini beserta semua jawabannya? Ketik :delete yes", "Delete this repeat instance and all its answers? Type :delete yes")
    }
    var deleted: String { pick("Isian pengulangan dihapus.", "Repeat instance deleted.") }
    var unknownLanguage: String { pick("Bahasa itu tidak ada di kuesioner ini:", "This questionnaire has no such language:") }
    var languageSet: String { pick("Bahasa:", "Language:") }
    var choiceNumberOrCode: String { pick("Ketik nomor atau kode pilihan", "Type the number or code of a choice") }
    var severalChoices: String { pick("beberapa boleh, dipisah spasi atau koma", "several allowed, separated by spaces or commas") }
    var skipHint: String { pick("Enter kosong: lewati", "Empty line: skip") }
    var review: String { pick("Tinjauan", "Review") }
    var more: String { pick("lagi", "more") }
    var reviewNextPage: String { pick("Enter: halaman berikutnya · :jump NOMOR · q: kembali", "Enter: next page · :jump NUMBER · q: back") }
    var reviewLastPage: String { pick("Enter atau q: kembali · :jump NOMOR", "Enter or q: back · :jump NUMBER") }
    var geotraceFormat: String {
        pick("Format: titik-titik dipisah ';', mis. -8.65 115.22; -8.66 115.23", "Format: points separated by ';', e.g. -8.65 115.22; -8.66 115.23")
    }
    var geoshapeFormat: String {
        pick(
            "Format: titik sudut dipisah ';' (paling sedikit 3), mis. -8.65 115.22; -8.66 115.22; -8.66 115.23",
            "Format: corners separated by ';' (at least 3), e.g. -8.65 115.22; -8.66 115.22; -8.66 115.23")
    }
    var rankFormat: String {
        pick("Urutkan semua pilihan: nomor dari yang pertama sampai terakhir, mis. 2 1 3", "Put every choice in order: numbers from first to last, e.g. 2 1 3")
    }

    func attachmentFormat(_ kind: String) -> String {
        // A file of any kind (a document, an .osm map) has no noun of its own and no camera to come from.
        if kind == "file" {
            return pick("Ketik atau seret jalur berkasnya, mis. /media/usb/kantor-desa.osm", "Type or drop the file's path, e.g. /media/usb/village-office.osm")
        }
        let noun = pick(["image": "foto", "audio": "rekaman suara", "video": "video"][kind] ?? kind, kind == "image" ? "photo" : kind)
        return pick(
            "Ketik atau seret jalur berkas \(noun), mis. /media/kamera/IMG_0001.jpg",
            "Type or drop the path of the \(noun) file, e.g. /media/camera/IMG_0001.jpg")
    }

    func attachmentProblem(_ problem: StoreError.AttachmentProblem, path: String, kind: String) -> String {
        switch problem {
        case .missing: pick("tidak ada berkas di \(path)", "there is no file at \(path)")
        case .folder: pick("\(path) adalah folder; beri jalur satu berkas", "\(path) is a folder; give the path of one file")
        case .unreadable: pick("\(path) tidak dapat dibaca", "\(path) cannot be read")
        case .tooLarge(let size):
            pick(
                "\(path) berukuran \(size / 1_048_576) MB; batasnya \(ResponseStore.maximumAttachmentBytes / 1_048_576) MB",
                "\(path) is \(size / 1_048_576) MB; the limit is \(ResponseStore.maximumAttachmentBytes / 1_048_576) MB")
        }
    }

    var dateFormat: String { pick("Format: TTTT-BB-HH, mis. 2021-06-30", "Format: YYYY-MM-DD, e.g. 2021-06-30") }
    var timeFormat: String { pick("Format: JJ:MM, mis. 09:30", "Format: HH:MM, e.g. 09:30") }
    var dateTimeFormat: String { pick("Format: TTTT-BB-HH JJ:MM, mis. 2021-06-30 09:30", "Format: YYYY-MM-DD HH:MM, e.g. 2021-06-30 09:30") }

    func notYetAsked(_ count: Int) -> String {
        pick(
            "\(count) pertanyaan wajib belum ditanyakan; lanjutkan dengan Enter",
            "\(count) required question\(count == 1 ? " is" : "s are") still to be asked; go on with Enter")
    }
    var keepHint: String { pick("Enter: simpan nilai ini · :clear mengosongkan", "Enter: keep this value · :clear empties it") }

    func notAChoice(_ code: String, _ choices: String) -> String {
        pick("'\(code)' bukan salah satu pilihan: \(choices)", "'\(code)' is not one of the choices: \(choices)")
    }
    var previousRound: String { pick("Data putaran sebelumnya:", "Previous round data:") }
    var none: String { pick("tidak ada", "none") }

    func nonResponse(_ code: String) -> String {
        switch code {
        case "dont_know": pick("tidak tahu", "don't know")
        case "refused": pick("menolak menjawab", "refused")
        default: pick("tidak berlaku", "not applicable")
        }
    }

    var help: String {
        pick(
            """
            Perintah:
              :back           kembali ke pertanyaan sebelumnya
              :next           lanjut (jika jawaban sudah sah)
              :jump NAMA      ke pertanyaan yang sudah dicapai, mis. :jump umur[2] atau :jump 12
              :review         tinjau semua jawaban
              :clear          kosongkan jawaban ini (Enter saja menyimpannya)
              :dk :rf :na     tidak tahu / menolak / tidak berlaku (jika diizinkan)
              :confirm ALASAN simpan nilai yang tidak biasa, dengan alasan
              :delete         hapus isian pengulangan ini
              :lang KODE      ganti bahasa, mis. :lang en
              :save           simpan sebagai draf dan keluar
              :finish         selesaikan wawancara
              :help           bantuan ini
            """,
            """
            Commands:
              :back           go back to the previous question
              :next           go on (when the answer is valid)
              :jump NAME      go to a question already reached, e.g. :jump age[2] or :jump 12
              :review         review all answers
              :clear          empty this answer (Enter alone keeps it)
              :dk :rf :na     don't know / refused / not applicable (where allowed)
              :confirm REASON keep an unusual value, with the reason
              :delete         delete this repeat instance
              :lang CODE      switch language, e.g. :lang id
              :save           save as a draft and leave
              :finish         complete the interview
              :help           this help
            """)
    }
}
