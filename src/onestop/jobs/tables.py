"""Tables of jobs: seeker profiles, their consent answers, postings, and the link between a
seeker and a posting (an application or an invitation) that lets a firm see the seeker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class JobSeekerRow(Base):
    """A seeker's profile (one per seeker account). `profile` holds the checked fields as JSON
    (see `services.seeker_from_data`); the columns are the ones ranked and filtered on."""

    __tablename__ = "job_seekers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    birth_year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(5), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    #: the seeker allows firms to find them (anonymised) and invite them
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    consent_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class JobConsentRow(Base):
    """One answer to a seeker consent item (`seeker_privacy` required, `discoverable` optional) of
    one version, with when and from where; a later answer adds a row (개인정보 보호법 제22조)."""

    __tablename__ = "job_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    agreed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")


class JobPostingRow(Base):
    """A job posting of a registered firm, by one of its members or a job agency's officer.
    `data` holds the checked posting fields as JSON; `external_id` is the 고용24 구인인증번호
    (wantedAuthNo) of an imported or exported posting."""

    __tablename__ = "job_postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    posted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agency_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str] = mapped_column(String(5), index=True)
    region: Mapped[str] = mapped_column(String(5), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class JobEngagementRow(Base):
    """A seeker and a posting: the seeker applied (`applied`), or the firm invited them
    (`invited` → `accepted` or `declined`). The firm sees the seeker's profile while the row is
    `applied` or `accepted`. `match` keeps the score and reasons shown when it was made."""

    __tablename__ = "job_engagements"
    __table_args__ = (UniqueConstraint("posting_id", "seeker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(12))
    match: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JobFairRow(Base):
    """A job fair an agency runs: offline at a venue, online, or a regional mini fair."""

    __tablename__ = "job_fairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    venue: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(5), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobFairBoothRow(Base):
    """A firm's booth at a fair, with the postings it brings."""

    __tablename__ = "job_fair_booths"
    __table_args__ = (UniqueConstraint("fair_id", "firm_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    posting_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobFairSeekerRow(Base):
    """A seeker registered for a fair."""

    __tablename__ = "job_fair_seekers"
    __table_args__ = (UniqueConstraint("fair_id", "seeker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobInterviewRow(Base):
    """An interview slot booked at a booth (the consultation slot grid: Korean business days,
    30 minutes from 09:00 KST). One booking per booth and slot, and one per seeker and slot
    (unique constraints: no double booking, also under concurrency). `result`: booked →
    interviewed → offered → hired, or no_show."""

    __tablename__ = "job_interviews"
    __table_args__ = (UniqueConstraint("booth_id", "starts_at"), UniqueConstraint("seeker_id", "starts_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("job_fair_booths.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(12), default="booked")
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobPlacementRow(Base):
    """A hire: seeker, firm, posting, start date, employment type and pay. The firm proposes it
    and the seeker confirms it; a confirmed placement counts toward its agency's target and is
    checked for retention at 3 and 6 months (`retained_3m`, `retained_6m`: None until answered)."""

    __tablename__ = "job_placements"
    __table_args__ = (UniqueConstraint("posting_id", "seeker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(String(60), default="", index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    employment_type: Mapped[str] = mapped_column(String(24))
    pay_won: Mapped[int] = mapped_column(Integer)
    pay_unit: Mapped[str] = mapped_column(String(8))
    firm_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seeker_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retained_3m: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    retained_6m: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: the course whose officer referred the seeker to this posting (None: not via a course)
    course_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobCourseRow(Base):
    """A re-employment course of an agency (like Re-Bounce): required hours (minutes), seats,
    the enrolment window, and the officer who counsels its enrolled seekers one to one."""

    __tablename__ = "job_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    program_id: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    enrol_opens: Mapped[date] = mapped_column(Date)
    enrol_closes: Mapped[date] = mapped_column(Date)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobCourseSessionRow(Base):
    """A session of a course: its date, start and end (KST), hours credited (minutes), and where."""

    __tablename__ = "job_course_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("job_courses.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(8))
    venue: Mapped[str] = mapped_column(String(300), default="")


class JobCourseEnrolmentRow(Base):
    """A seeker enrolled in a course (once: unique), `cancelled_at` set when they withdrew before
    the first session; `completed_on` the date of the session that reached the required hours."""

    __tablename__ = "job_course_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "seeker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("job_courses.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobCourseAttendanceRow(Base):
    """Minutes an enrolled seeker attended one session (one row per session and enrolment)."""

    __tablename__ = "job_course_attendance"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("job_course_sessions.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("job_course_enrolments.id", ondelete="CASCADE"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobCounsellingRow(Base):
    """A one-to-one counselling slot an enrolled seeker booked with the course's counsellor (the
    consultation slot grid). One booking per counsellor and slot, one per seeker and slot."""

    __tablename__ = "job_counselling"
    __table_args__ = (UniqueConstraint("counsellor_id", "starts_at"), UniqueConstraint("seeker_id", "starts_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("job_courses.id", ondelete="CASCADE"), index=True)
    counsellor_id: Mapped[int] = mapped_column(Integer, index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobReferralRow(Base):
    """An officer of the course's agency referred an enrolled seeker to an open posting. The
    firm learns nothing of it: it sees the seeker only once they apply."""

    __tablename__ = "job_referrals"
    __table_args__ = (UniqueConstraint("enrolment_id", "posting_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("job_courses.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("job_course_enrolments.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id", ondelete="CASCADE"), index=True)
    referred_by: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
