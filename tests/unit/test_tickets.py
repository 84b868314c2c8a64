from gateway.common import tickets


def test_new_tickets_are_valid_and_seven_digits():
    for _ in range(200):
        ticket = tickets.new_ticket()
        assert len(ticket) == 7 and ticket.isdigit() and ticket[0] != "0"
        assert tickets.is_valid(ticket)


def test_every_single_digit_typo_is_caught():
    ticket = "1234565" if tickets.is_valid("1234565") else "123456" + tickets.check_digit("123456")
    for pos in range(len(ticket)):
        for digit in "0123456789":
            if digit != ticket[pos]:
                typo = ticket[:pos] + digit + ticket[pos + 1 :]
                assert not tickets.is_valid(typo), typo


def test_every_adjacent_swap_is_caught():
    ticket = "583920" + tickets.check_digit("583920")
    for pos in range(len(ticket) - 1):
        if ticket[pos] != ticket[pos + 1]:
            swapped = ticket[:pos] + ticket[pos + 1] + ticket[pos] + ticket[pos + 2 :]
            assert not tickets.is_valid(swapped)


def test_wrong_length_or_letters_are_invalid():
    assert not tickets.is_valid("12345")
    assert not tickets.is_valid("12a4567")
    assert tickets.clean(" #123-4567 ") == "1234567"


def test_digits_of_other_scripts_are_read_and_digit_like_signs_refused():
    assert tickets.clean("１２３４５６６") == "1234566"  # full-width, as some phones send
    assert tickets.clean("#123²4566") == "1234566"  # a superscript is no digit
    assert not tickets.is_valid("²²²²²²²")  # isdigit() is True for these; no crash


def test_tickets_are_found_wherever_they_stand_and_however_grouped():
    ticket = "583920" + tickets.check_digit("583920")
    spaced, dashed = f"{ticket[:3]} {ticket[3:]}", f"{ticket[:3]}-{ticket[3:]}"
    for text in [ticket, f"#{ticket} masih bocor", f"pak soal tiket {spaced} gmn", dashed]:
        assert tickets.find(text) == [ticket], text
    assert tickets.find(f"kelas 3 {ticket}") == [ticket]  # a class number beside it
    assert tickets.first(f"tiket {ticket} dan {ticket}") == ticket


def test_phone_numbers_amounts_and_bad_check_digits_are_no_tickets():
    ticket = "583920" + tickets.check_digit("583920")
    wrong = ticket[:-1] + str((int(ticket[-1]) + 1) % 10)
    for text in ["0812-3456-7890", "081234567890", "Rp 1.500.000", wrong, "12345", ""]:
        assert tickets.find(text) == [], text
