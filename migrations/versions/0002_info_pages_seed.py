"""seed info_pages with default service information (id + en)

Topics match the USSD menu (menus/trees/labura.yaml, node info.topic): spmb, ijazah,
mutasi, pip, bos, kontak. Texts are GSM-7 and fit three SMS (the "send by SMS" option).
Items marked [DISDIK ISI] are placeholders for Disdik Labura to replace with real data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGES: list[tuple[str, str, str, str]] = [
    (
        "spmb",
        "id",
        "SPMB",
        "SPMB (Sistem Penerimaan Murid Baru) menggantikan PPDB. Jalur: domisili, afirmasi, "
        "prestasi dan mutasi. Umur SD minimal 6 tahun; SMP paling tinggi 15 tahun. Jalur "
        "domisili memakai Kartu Keluarga yang terbit paling lambat 1 tahun sebelumnya. Jadwal "
        "dan juknis ditetapkan Disdik Labura: tanyakan ke sekolah tujuan atau kantor Disdik.",
    ),
    (
        "spmb",
        "en",
        "SPMB",
        "SPMB (new pupil admission) replaced PPDB. Routes: domicile, affirmation, merit and "
        "transfer. Primary school: at least 6 years old; junior high: at most 15. The domicile "
        "route needs a family card (Kartu Keluarga) issued at least 1 year earlier. Dates and "
        "rules are set by Disdik Labura: ask the school or the Disdik office.",
    ),
    (
        "ijazah",
        "id",
        "Legalisir ijazah",
        "Legalisir fotokopi ijazah dilakukan di sekolah yang menerbitkan ijazah; bila sekolah "
        "sudah tutup, di kantor Disdik. Bawa ijazah asli dan fotokopinya. Gratis. Ijazah hilang "
        "atau rusak: bawa surat kehilangan dari polisi dan SPTJM bermeterai untuk Surat "
        "Keterangan Pengganti Ijazah.",
    ),
    (
        "ijazah",
        "en",
        "Certificate legalisation",
        "Copies of a school certificate (ijazah) are legalised by the school that issued it; "
        "if the school has closed, by the Disdik office. Bring the original and the copies. "
        "Free of charge. Lost or damaged certificate: bring a police loss report and a signed "
        "statement (SPTJM) for a replacement letter.",
    ),
    (
        "mutasi",
        "id",
        "Mutasi siswa",
        "Rekomendasi pindah sekolah SD/SMP: surat permohonan orang tua, surat pindah dari "
        "sekolah asal, surat keterangan diterima dari sekolah tujuan, fotokopi rapor (identitas, "
        "nilai terakhir, halaman mutasi) dan NISN. Gratis. Diurus di kantor Disdik Labura.",
    ),
    (
        "mutasi",
        "en",
        "Pupil transfer",
        "Transfer recommendation for SD/SMP pupils: a request letter from the parent, the "
        "transfer letter of the old school, an acceptance letter of the new school, copies of "
        "the report book (identity, last marks, transfer page) and the NISN. Free of charge. "
        "Handled at the Disdik Labura office.",
    ),
    (
        "pip",
        "id",
        "PIP/KIP",
        "PIP (Program Indonesia Pintar) membantu siswa dari keluarga miskin atau rentan, "
        "misalnya pemegang KIP, PKH atau KKS. Cek penerima di pip.kemdikbud.go.id dengan NISN, "
        "tanggal lahir dan nama ibu kandung. Dana PIP tidak boleh dipotong; laporkan potongan "
        "lewat menu Lapor masalah.",
    ),
    (
        "pip",
        "en",
        "PIP/KIP",
        "PIP (Program Indonesia Pintar) supports pupils from poor or vulnerable families, e.g. "
        "KIP, PKH or KKS holders. Check recipients at pip.kemdikbud.go.id with the NISN, date "
        "of birth and mother's name. PIP money must not be cut; report any deduction through "
        "the Report a problem menu.",
    ),
    (
        "bos",
        "id",
        "Dana BOS",
        "Dana BOS adalah dana operasional sekolah dari pemerintah. Sekolah wajib mengumumkan "
        "penggunaannya. Pungutan liar atau penyalahgunaan dana BOS bisa dilaporkan lewat menu "
        "Lapor masalah (kategori Dana BOS); identitas pelapor dapat dirahasiakan.",
    ),
    (
        "bos",
        "en",
        "BOS funds",
        "BOS funds are the government's operating grants to schools. Schools must publish how "
        "they are spent. Illegal levies or misuse of BOS funds can be reported through the "
        "Report a problem menu (BOS category); your identity can be kept confidential.",
    ),
    (
        "kontak",
        "id",
        "Kontak",
        "Dinas Pendidikan Kab. Labuhanbatu Utara, Aek Kanopan. Alamat: [DISDIK ISI]. Jam "
        "layanan: Senin-Jumat [DISDIK ISI] WIB. Telepon/WA: [DISDIK ISI]. Pengaduan juga lewat "
        "LAPOR! SMS 1708.",
    ),
    (
        "kontak",
        "en",
        "Contact",
        "Education Office of Labuhanbatu Utara, Aek Kanopan. Address: [DISDIK ISI]. Office "
        "hours: Monday-Friday [DISDIK ISI] WIB. Phone/WA: [DISDIK ISI]. Complaints also via "
        "LAPOR! SMS 1708.",
    ),
]

info_pages = sa.table(
    "info_pages",
    sa.column("topic", sa.String),
    sa.column("language", sa.String),
    sa.column("title", sa.String),
    sa.column("body", sa.Text),
)


def upgrade() -> None:
    op.bulk_insert(
        info_pages,
        [
            {"topic": t, "language": lang, "title": title, "body": body}
            for t, lang, title, body in PAGES
        ],
    )


def downgrade() -> None:
    op.execute(
        info_pages.delete().where(info_pages.c.topic.in_(sorted({page[0] for page in PAGES})))
    )
