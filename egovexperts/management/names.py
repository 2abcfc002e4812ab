"""Common Vietnamese name parts for fictional demo and benchmark people."""

FAMILY_NAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương",
]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Thu", "Hoàng", "Xuân", "Anh"]
GIVEN_NAMES = [
    "An", "Anh", "Ánh", "Bình", "Cường", "Châu", "Dũng", "Duy", "Đạt", "Giang", "Hà", "Hải", "Hạnh",
    "Hiếu", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga",
    "Ngọc", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang",
    "Trung", "Tuấn", "Vân", "Việt", "Yến",
]
