class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigit(FourDigitYear):
    """Months and days as 04/07, the way news URLs print them (and sort)."""

    regex = "[0-9]{2}"

    def to_url(self, value):
        return f"{int(value):02d}"
