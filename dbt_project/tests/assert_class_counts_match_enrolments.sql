-- fct_classes counts and mart_unit_training_summary totals agree with fct_enrolments.
{{ config(meta={'dagster': {'ref': {'name': 'fct_classes'}}}) }}
with

enrolments as (

    select * from {{ ref('fct_enrolments') }}

),

classes as (

    select * from {{ ref('fct_classes') }}

),

summary as (

    select * from {{ ref('mart_unit_training_summary') }}

),

counts_per_class as (

    select
        class_code,
        count(*) as enrolled_count,
        sum(case when graduated then 1 else 0 end) as graduated_count
    from enrolments
    group by class_code

),

counts_per_unit_term as (

    select
        unit_code,
        term_code,
        count(*) as classes_count,
        sum(enrolled_count) as enrolments_count
    from classes
    where term_code is not null
    group by
        unit_code,
        term_code

),

class_mismatches as (

    select classes.class_code as failing_key
    from classes
    left join counts_per_class
        on classes.class_code = counts_per_class.class_code
    where
        classes.enrolled_count <> coalesce(counts_per_class.enrolled_count, 0)
        or classes.graduated_count <> coalesce(counts_per_class.graduated_count, 0)

),

summary_mismatches as (

    select coalesce(summary.unit_code, counts_per_unit_term.unit_code) as failing_key
    from summary
    full outer join counts_per_unit_term
        on summary.unit_code = counts_per_unit_term.unit_code
            and summary.term_code = counts_per_unit_term.term_code
    where
        summary.unit_code is null
        or counts_per_unit_term.unit_code is null
        or summary.classes_count <> counts_per_unit_term.classes_count
        or summary.enrolments_count <> counts_per_unit_term.enrolments_count

)

select failing_key from class_mismatches
union all
select failing_key from summary_mismatches
