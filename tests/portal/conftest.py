"""A trainee enrolled in a cohort with one course, and another trainee in another cohort."""

import pytest
from django.core.cache import cache

from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its login rate limits in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(trainee):
    course = CourseFactory(code="CPĐT-101", title="Kiến trúc Chính phủ điện tử")
    EnrolmentFactory(trainee=trainee, cohort=course.cohort)
    return course


@pytest.fixture
def other_course(other_trainee):
    course = CourseFactory(code="BMTT-201", title="Bảo mật thông tin bí mật")
    EnrolmentFactory(trainee=other_trainee, cohort=course.cohort)
    return course


@pytest.fixture
def other_session(other_course):
    return SessionFactory(course=other_course, title="Buổi học riêng của khóa khác")
