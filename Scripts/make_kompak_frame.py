#!/usr/bin/env python3
"""Writes Questionnaires/kompak/frame.csv: KOMPAK's 7 provinces, 24 districts, 41 sub-districts and 411 villages
exactly as in the work plan's table (shared/kompak/BRIEF.md), plus comparison districts (kompak=0).

Province and district names and codes are the real ones (BPS codes before the 2022 Papua split); sub-district and
village names are generated, deterministically, with BPS-style hierarchical codes: province 2 digits, district 4,
sub-district 7 (district + 010, 020, ...), village 10 (sub-district + 001, 002, ...).

Sekar Desa (sekar_desa=1, 33 villages): the brief does not name them; this frame takes the first two villages of
each of the 16 KOMPAK districts outside Papua and Papua Barat (32), plus the third village of Lombok Timur, the
largest of them (33). Run again after a change: the output is the same for the same table.
"""
import csv
import os

KOMPAK = [  # province, province code, district, district code, sub-districts, villages
    ("Aceh", "11", "Aceh Barat", "1105", 1, 6),
    ("Aceh", "11", "Bener Meriah", "1117", 1, 6),
    ("Aceh", "11", "Bireuen", "1111", 1, 6),
    ("Jawa Tengah", "33", "Brebes", "3329", 1, 12),
    ("Jawa Tengah", "33", "Pekalongan", "3326", 1, 9),
    ("Jawa Tengah", "33", "Pemalang", "3327", 1, 12),
    ("Jawa Timur", "35", "Bondowoso", "3511", 2, 28),
    ("Jawa Timur", "35", "Lumajang", "3508", 2, 20),
    ("Jawa Timur", "35", "Pacitan", "3501", 2, 27),
    ("Jawa Timur", "35", "Trenggalek", "3503", 2, 20),
    ("Nusa Tenggara Barat", "52", "Bima", "5206", 2, 29),
    ("Nusa Tenggara Barat", "52", "Lombok Timur", "5203", 3, 40),
    ("Nusa Tenggara Barat", "52", "Lombok Utara", "5208", 2, 13),
    ("Nusa Tenggara Barat", "52", "Sumbawa", "5204", 2, 20),
    ("Sulawesi Selatan", "73", "Bantaeng", "7303", 1, 10),
    ("Sulawesi Selatan", "73", "Pangkajene Kepulauan", "7310", 1, 7),
    ("Papua", "94", "Asmat", "9415", 2, 23),
    ("Papua", "94", "Boven Digoel", "9413", 1, 5),
    ("Papua", "94", "Jayapura", "9403", 3, 19),
    ("Papua", "94", "Nabire", "9404", 2, 10),
    ("Papua Barat", "91", "Fakfak", "9101", 2, 15),
    ("Papua Barat", "91", "Kaimana", "9102", 1, 17),
    ("Papua Barat", "91", "Manokwari Selatan", "9111", 3, 34),
    ("Papua Barat", "91", "Sorong", "9107", 2, 23),
]

# Comparison districts: 5 provinces x 2 districts, 2 sub-districts x 10 villages each.
COMPARISON = [
    ("Aceh", "11", "Aceh Besar", "1106", 2, 20),
    ("Aceh", "11", "Pidie", "1107", 2, 20),
    ("Jawa Tengah", "33", "Banyumas", "3302", 2, 20),
    ("Jawa Tengah", "33", "Kebumen", "3305", 2, 20),
    ("Jawa Timur", "35", "Ponorogo", "3502", 2, 20),
    ("Jawa Timur", "35", "Tulungagung", "3504", 2, 20),
    ("Nusa Tenggara Barat", "52", "Lombok Barat", "5201", 2, 20),
    ("Nusa Tenggara Barat", "52", "Dompu", "5205", 2, 20),
    ("Sulawesi Selatan", "73", "Jeneponto", "7304", 2, 20),
    ("Sulawesi Selatan", "73", "Takalar", "7305", 2, 20),
]

FIRST = ["Suka", "Mekar", "Sido", "Tanjung", "Batu", "Karang", "Sumber", "Lembah", "Bukit", "Air", "Pasir", "Teluk",
         "Kampung", "Tegal", "Wono", "Rejo", "Sari", "Jaya", "Mulya", "Indah"]
SECOND = ["maju", "jaya", "makmur", "rejo", "sari", "mulya", "agung", "baru", "indah", "asri", "harjo", "luhur",
          "tengah", "raya", "lestari", "damai", "subur", "wangi", "permai", "bakti"]


def name(index, salt):
    """A deterministic Indonesian-sounding place name."""
    a = FIRST[(index * 7 + salt * 3) % len(FIRST)]
    b = SECOND[(index * 11 + salt * 5 + index // len(FIRST)) % len(SECOND)]
    return a + b


def split(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = os.path.join(root, "Questionnaires", "kompak", "frame.csv")
    rows = []
    provinces = {}
    for province, pcode, *_ in KOMPAK + COMPARISON:
        provinces.setdefault(pcode, province)
    papua_codes = {"94", "91"}
    for pcode, province in provinces.items():
        rows.append([pcode, province, "province", "", "1" if any(p == pcode for _, p, *_ in KOMPAK) else "0", "0",
                     "1" if pcode in papua_codes else "0"])
    used_names = set()
    village_counter = 0
    non_papua_kompak = [d for d in KOMPAK if d[1] not in papua_codes]
    for kompak, table in ((1, KOMPAK), (0, COMPARISON)):
        for province, pcode, district, dcode, subdistricts, villages in table:
            papua = "1" if pcode in papua_codes else "0"
            rows.append([dcode, district, "district", pcode, str(kompak), "0", papua])
            district_village_index = 0
            for s, count in enumerate(split(villages, subdistricts)):
                scode = f"{dcode}{(s + 1) * 10:03d}"
                sname = name(int(dcode) + s, 1)
                while sname in used_names:
                    sname += " Timur"
                used_names.add(sname)
                rows.append([scode, sname, "subdistrict", dcode, str(kompak), "0", papua])
                for v in range(count):
                    village_counter += 1
                    vcode = f"{scode}{v + 1:03d}"
                    vname = name(village_counter, 2)
                    sekar = "0"
                    if kompak and any(d[3] == dcode for d in non_papua_kompak):
                        if district_village_index < 2 or (dcode == "5203" and district_village_index == 2):
                            sekar = "1"
                    rows.append([vcode, vname, "village", scode, str(kompak), sekar, papua])
                    district_village_index += 1
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code", "kompak", "sekar_desa", "papua"])
        writer.writerows(rows)
    levels = {}
    for row in rows:
        levels.setdefault((row[2], row[4]), 0)
        levels[(row[2], row[4])] += 1
    print(f"wrote {out}: " + ", ".join(f"{level} kompak={k}: {n}" for (level, k), n in sorted(levels.items())))
    print(f"sekar_desa villages: {sum(1 for r in rows if r[5] == '1')}")


if __name__ == "__main__":
    main()
