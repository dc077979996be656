-- F10 (CONTRACT.md §6): the review lists exactly the people and years with unexcused
-- absences in enrolments of classes starting that year, with the same totals.
{{ config(meta={'dagster': {'ref': {'name': 'mart_attendance_review'}}}) }}
with

expected as (

    select
        person_key,
        year,
        sum(unexcused_absences) as unexcused_absences,
        count(*) as classes_with_absence
    from {{ ref('fct_enrolments') }}
    where unexcused_absences > 0
    group by
        person_key,
        year

),

review as (

    select * from {{ ref('mart_attendance_review') }}

)

select
    coalesce(expected.person_key, review.person_key) as person_key,
    coalesce(expected.year, review.year) as year
from expected
full outer join review
    on expected.person_key = review.person_key
        and expected.year = review.year
where
    expected.person_key is null
    or review.person_key is null
    or review.unexcused_absences <> expected.unexcused_absences
    or review.classes_with_absence <> expected.classes_with_absence
