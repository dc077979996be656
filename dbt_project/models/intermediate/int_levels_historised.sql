-- A person's level at date D is the highest rank awarded on or before D (CONTRACT.md §4),
-- so levels only change on award dates: one span per person from each award date to the next.
with

awards as (

    select * from {{ ref('int_qualifications_ranked') }}
    where level_rank is not null

),

ranked_awards as (

    select
        person_key,
        awarded_date,
        case when qualification_kind = 'chuyen_mon' then level_rank end as professional_rank,
        case when qualification_kind = 'ly_luan_chinh_tri' then level_rank end as political_rank
    from awards

),

change_dates as (

    select distinct
        person_key,
        awarded_date as valid_from
    from ranked_awards

),

spans as (

    select
        person_key,
        valid_from,
        lead(valid_from) over (partition by person_key order by valid_from) as valid_to
    from change_dates

),

highest_ranks as (

    select
        spans.person_key,
        spans.valid_from,
        spans.valid_to,
        max(ranked_awards.professional_rank) as professional_rank,
        max(ranked_awards.political_rank) as political_rank
    from spans
    inner join ranked_awards
        on spans.person_key = ranked_awards.person_key
            and spans.valid_from >= ranked_awards.awarded_date
    group by
        spans.person_key,
        spans.valid_from,
        spans.valid_to

),

final as (

    select
        person_key,
        valid_from,
        valid_to,
        professional_rank,
        {{ level_code('chuyen_mon', 'professional_rank') }} as professional_level,
        political_rank,
        {{ level_code('ly_luan_chinh_tri', 'political_rank') }} as political_level
    from highest_ranks

)

select * from final
